using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Http;

/// <summary>--faults SPEC: misbehaviour on purpose, for testing clients. Comma-separated:
/// <c>seed=N</c> (default 1), <c>503=P</c> (answer 503 before any work), <c>429=P</c> (answer
/// 429 with Retry-After), <c>retry-after=S</c> (seconds, default 1), <c>drop=P</c> (a POST is
/// committed, then its connection is dropped without a response), <c>delay=MS</c> or
/// <c>delay=MIN-MAX</c> (added before handling, uniform in the range), <c>only=POST</c> (or GET:
/// faults for that method alone; default every method). P is a fraction 0..1.
/// The decisions come from one seeded generator, in request order.</summary>
public sealed record FaultSpec(int Seed, double Unavailable, double Throttle, int RetryAfterSeconds, double Drop, int DelayMinMs, int DelayMaxMs, string? OnlyMethod)
{
    public static FaultSpec Parse(string text)
    {
        int seed = 1, retryAfter = 1, delayMin = 0, delayMax = 0;
        double unavailable = 0, throttle = 0, drop = 0;
        string? only = null;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2) throw Bad(text, $"'{part}' is not name=value");
            var (name, value) = (pair[0].ToLowerInvariant(), pair[1]);
            switch (name)
            {
                case "seed": seed = Integer(text, name, value, 0, int.MaxValue); break;
                case "503": unavailable = Fraction(text, name, value); break;
                case "429": throttle = Fraction(text, name, value); break;
                case "drop": drop = Fraction(text, name, value); break;
                case "only":
                    only = value.ToUpperInvariant() is "POST" or "GET" ? value.ToUpperInvariant() : throw Bad(text, "only must be POST or GET");
                    break;
                case "retry-after": retryAfter = Integer(text, name, value, 0, 3600); break;
                case "delay":
                    {
                        var range = value.EndsWith("ms", StringComparison.Ordinal) ? value[..^2] : value;
                        var bounds = range.Split('-', 2);
                        delayMin = Integer(text, name, bounds[0], 0, 60_000);
                        delayMax = bounds.Length == 2 ? Integer(text, name, bounds[1], 0, 60_000) : delayMin;
                        if (delayMax < delayMin)
                            throw Bad(text, $"delay={value} is reversed: give the smaller bound first, e.g. delay={delayMax}-{delayMin}");
                        break;
                    }
                default: throw Bad(text, $"unknown fault '{pair[0]}' (known: seed, 503, 429, retry-after, drop, delay, only)");
            }
        }
        if (unavailable + throttle > 1) throw Bad(text, "503 and 429 together exceed 1");
        return new FaultSpec(seed, unavailable, throttle, retryAfter, drop, delayMin, delayMax, only);
    }

    /// <summary>The spec in words, for the start banner.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        static string Percent(double p) => (p * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
        var scope = OnlyMethod is null ? "requests" : OnlyMethod + " requests";
        if (Unavailable > 0) parts.Add($"503 for {Percent(Unavailable)} of {scope}");
        if (Throttle > 0) parts.Add($"429 (Retry-After {RetryAfterSeconds} s) for {Percent(Throttle)} of {scope}");
        if (Drop > 0 && OnlyMethod is null or "POST") parts.Add($"connection dropped after the commit for {Percent(Drop)} of POSTs");
        if (DelayMaxMs > 0) parts.Add(DelayMinMs == DelayMaxMs ? $"{DelayMinMs} ms delay on {scope}" : $"{DelayMinMs}-{DelayMaxMs} ms delay on {scope}");
        if (parts.Count == 0) parts.Add("nothing injected (every rate is 0)");
        return $"{string.Join("; ", parts)}; seed {Seed}";
    }

    private static ArgumentException Bad(string text, string why) => new($"--faults '{text}': {why}.");

    private static double Fraction(string text, string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
            ? p
            : throw Bad(text, $"{name} must be a fraction from 0 to 1");

    private static int Integer(string text, string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad(text, $"{name} must be a whole number from {min} to {max}");
}

/// <summary>Applies a <see cref="FaultSpec"/> to /v2 requests and counts what it injected
/// (reported by GET /_sandbox/stats and in the log).</summary>
public sealed class FaultInjector
{
    private readonly FaultSpec _spec;
    private readonly Random _random;
    private readonly ILogger _log;
    private long _seen, _unavailable, _throttled, _dropped, _delayed;

    public FaultInjector(FaultSpec spec, ILogger log)
    {
        _spec = spec;
        _random = new Random(spec.Seed);
        _log = log;
    }

    public IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long>
    {
        ["requests"] = Interlocked.Read(ref _seen),
        ["injected_503"] = Interlocked.Read(ref _unavailable),
        ["injected_429"] = Interlocked.Read(ref _throttled),
        ["dropped_after_commit"] = Interlocked.Read(ref _dropped),
        ["delayed"] = Interlocked.Read(ref _delayed),
    };

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_spec.OnlyMethod is { } only && !string.Equals(context.Request.Method, only, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        double roll, dropRoll, delayRoll;
        lock (_random)
        {
            roll = _random.NextDouble();
            dropRoll = _random.NextDouble();
            delayRoll = _random.NextDouble();
        }
        Interlocked.Increment(ref _seen);

        if (_spec.DelayMaxMs > 0)
        {
            Interlocked.Increment(ref _delayed);
            await Task.Delay(_spec.DelayMinMs + (int)(delayRoll * (_spec.DelayMaxMs - _spec.DelayMinMs)), context.RequestAborted);
        }
        if (roll < _spec.Unavailable)
        {
            Interlocked.Increment(ref _unavailable);
            _log.LogInformation("Fault injected: 503 for {Method} {Path} {RequestId}", context.Request.Method, context.Request.Path.Value, context.TraceIdentifier);
            throw new ApiProblem(503, "unavailable", "Service unavailable", "Injected fault (--faults 503): nothing was done; retry.");
        }
        if (roll < _spec.Unavailable + _spec.Throttle)
        {
            Interlocked.Increment(ref _throttled);
            _log.LogInformation("Fault injected: 429 for {Method} {Path} {RequestId}", context.Request.Method, context.Request.Path.Value, context.TraceIdentifier);
            throw new ApiProblem(429, "quota-exceeded", "Too many requests", $"Injected fault (--faults 429): retry after {_spec.RetryAfterSeconds} s.")
            { RetryAfterSeconds = _spec.RetryAfterSeconds };
        }
        if (HttpMethods.IsPost(context.Request.Method) && dropRoll < _spec.Drop)
        {
            // Do the work for real (it commits), keep the answer, then cut the connection.
            var original = context.Response.Body;
            context.Response.Body = new MemoryStream();
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            Interlocked.Increment(ref _dropped);
            _log.LogInformation("Fault injected: dropped the connection after {Method} {Path} {RequestId} answered {Status}",
                context.Request.Method, context.Request.Path.Value, context.TraceIdentifier, context.Response.StatusCode);
            RequestNotes.Of(context).Dropped = true;
            context.Abort();
            return;
        }
        await next(context);
    }
}
