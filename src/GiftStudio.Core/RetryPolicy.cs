using System;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio;

/// <summary>How failed attempts are retried: capped exponential backoff with jitter,
/// Retry-After honoured, all within an overall time budget.</summary>
public sealed class RetryPolicy
{
    /// <summary>Retries after the first attempt (0 turns retrying off).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff; it doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>No single wait is longer than this.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>All attempts and waits of one call together; no retry starts past it.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How a wait happens. Tests of the timing logic replace it to avoid real sleeps.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    internal RetryPolicy Clone() => (RetryPolicy)MemberwiseClone();
}
