using System;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio;

/// <summary>How failed attempts are retried: capped exponential backoff with jitter,
/// Retry-After honoured, all within an overall time budget.</summary>
public sealed class RetryPolicy
{
    // The defaults, in the units Connect-SocialOS takes them: the one place they are written
    // (the cmdlet's parameter defaults refer to these; a Pester test checks help and README).
    public const int DefaultMaxRetries = 3;
    public const double DefaultBaseDelaySeconds = 0.8;
    public const double DefaultMaxDelaySeconds = 60;
    public const int DefaultBudgetSeconds = 300;

    /// <summary>Retries after the first attempt (0 turns retrying off).</summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>The first backoff; it doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(DefaultBaseDelaySeconds);

    /// <summary>No single wait is longer than this.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(DefaultMaxDelaySeconds);

    /// <summary>All attempts and waits of one call together; no retry starts past it.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(DefaultBudgetSeconds);

    /// <summary>How a wait happens. Tests of the timing logic replace it to avoid real sleeps.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    internal RetryPolicy Clone() => (RetryPolicy)MemberwiseClone();
}
