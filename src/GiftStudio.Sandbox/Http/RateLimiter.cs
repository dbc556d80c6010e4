using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>A token bucket per key (--rate-limit N: N tokens a second, a bucket of N, at least 1). Off by
/// default, when every response still carries the headers, reporting an unmetered bucket.</summary>
public sealed class RateLimiter
{
    public readonly record struct Decision(bool Allowed, long Limit, long Remaining, int ResetSeconds, int RetryAfterSeconds = 0)
    {
        public void Apply(IHeaderDictionary headers)
        {
            headers["X-RateLimit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = ResetSeconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>What an unmetered response reports: a full bucket of int.MaxValue.</summary>
    public static readonly Decision Unmetered = new(true, int.MaxValue, int.MaxValue, 0, 0);

    private readonly ConcurrentDictionary<long, Bucket> _buckets = new();

    private readonly Func<TimeSpan> _elapsed;

    /// <param name="elapsed">The clock buckets refill on (the sandbox's, so --clock manual controls it).</param>
    public RateLimiter(double? rate, Func<TimeSpan>? elapsed = null)
    {
        Rate = rate;
        if (elapsed is null)
        {
            var start = Stopwatch.GetTimestamp();
            elapsed = () => Stopwatch.GetElapsedTime(start);
        }
        _elapsed = elapsed;
    }

    public double? Rate { get; }

    public Decision Take(long tenant)
    {
        if (Rate is not { } rate) return Unmetered;
        var bucket = _buckets.GetOrAdd(tenant, _ => new Bucket(Math.Max(1, rate), _elapsed));
        return bucket.Take(rate);
    }

    private sealed class Bucket
    {
        private readonly double _capacity;
        private double _tokens;

        private readonly Func<TimeSpan> _elapsed;

        public Bucket(double capacity, Func<TimeSpan> elapsed)
        {
            _elapsed = elapsed;
            _stamp = elapsed();
            _capacity = capacity;
            _tokens = capacity;
        }

        private TimeSpan _stamp;

        public Decision Take(double rate)
        {
            lock (this)
            {
                var now = _elapsed();
                _tokens = Math.Min(_capacity, _tokens + (now - _stamp).TotalSeconds * rate);
                _stamp = now;
                var allowed = _tokens >= 1;
                if (allowed) _tokens -= 1;
                // Reset: whole seconds until the bucket is full again; Retry-After: until one token.
                var reset = (int)Math.Ceiling((_capacity - _tokens) / rate);
                var retryAfter = allowed ? 0 : Math.Max(1, (int)Math.Ceiling((1 - _tokens) / rate));
                // Limit: the bucket's size, the most requests that can pass at once.
                return new Decision(allowed, (long)Math.Floor(_capacity), (long)Math.Floor(_tokens), reset, retryAfter);
            }
        }
    }
}
