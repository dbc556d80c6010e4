using System;

namespace GiftStudio;

public enum CircuitState
{
    /// <summary>Calls go through.</summary>
    Closed,
    /// <summary>Calls fail at once, without touching the network, until the break ends.</summary>
    Open,
    /// <summary>The break is over: one trial call is on the wire; the others still fail at once.</summary>
    HalfOpen,
}

/// <summary>Stops a bulk run from spending minutes per row against a server that is not
/// there. It counts consecutive attempts that got no HTTP answer at all (refused, reset,
/// timed out); any HTTP answer, even a 503, resets the count, so a flaky but living server
/// never trips it. After <see cref="FailureThreshold"/> such attempts it opens for
/// <see cref="BreakDuration"/>; then one trial call decides: an answer closes it, another
/// silence opens it again. One instance per connection, shared by every client and
/// handler built for it, so its state survives handler rebuilds. Thread-safe.</summary>
public sealed class CircuitBreaker
{
    public const int DefaultFailureThreshold = 10;
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(30);

    private readonly object _gate = new object();
    private readonly Func<DateTime> _utcNow;
    private int _consecutiveFailures;
    private bool _trialInFlight;

    /// <param name="failureThreshold">Consecutive answerless attempts that open it; 0 turns it off.</param>
    /// <param name="breakDuration">How long it stays open before a trial call.</param>
    /// <param name="utcNow">The clock (tests pass their own).</param>
    public CircuitBreaker(int failureThreshold, TimeSpan breakDuration, Func<DateTime>? utcNow = null)
    {
        if (failureThreshold < 0) throw new ArgumentOutOfRangeException(nameof(failureThreshold), "The threshold must be 0 (off) or more.");
        if (breakDuration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(breakDuration), "The break must not be negative.");
        FailureThreshold = failureThreshold;
        BreakDuration = breakDuration;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public CircuitBreaker() : this(DefaultFailureThreshold, DefaultBreakDuration) { }

    public int FailureThreshold { get; }

    public TimeSpan BreakDuration { get; }

    public bool Enabled => FailureThreshold > 0;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    /// <summary>When the current break ends (UTC); null unless open.</summary>
    public DateTime? OpenUntil { get; private set; }

    public int ConsecutiveFailures
    {
        get { lock (_gate) return _consecutiveFailures; }
    }

    /// <summary>Asks to make one attempt. False: fail at once. <paramref name="trial"/> is
    /// true when this attempt is the one that decides whether the break is over.</summary>
    internal bool TryEnter(out bool trial)
    {
        trial = false;
        if (!Enabled) return true;
        lock (_gate)
        {
            switch (State)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when _utcNow() >= OpenUntil && !_trialInFlight:
                    State = CircuitState.HalfOpen;
                    _trialInFlight = true;
                    trial = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Whether a call would be refused now (used to skip a pointless backoff wait).</summary>
    internal bool IsRefusing
    {
        get
        {
            if (!Enabled) return false;
            lock (_gate) return State == CircuitState.HalfOpen || State == CircuitState.Open && _utcNow() < OpenUntil;
        }
    }

    /// <summary>The attempt got an HTTP answer, whatever its status: the server is there.</summary>
    internal void OnAnswer(bool trial)
    {
        if (!Enabled) return;
        lock (_gate)
        {
            _consecutiveFailures = 0;
            if (trial) _trialInFlight = false;
            State = CircuitState.Closed;
            OpenUntil = null;
        }
    }

    /// <summary>The attempt got no HTTP answer at all.</summary>
    internal void OnNoAnswer(bool trial)
    {
        if (!Enabled) return;
        lock (_gate)
        {
            _consecutiveFailures++;
            if (trial) _trialInFlight = false;
            if (trial || State == CircuitState.Closed && _consecutiveFailures >= FailureThreshold)
            {
                State = CircuitState.Open;
                OpenUntil = _utcNow() + BreakDuration;
            }
        }
    }

    /// <summary>The attempt was cancelled by its caller: it proves nothing either way.</summary>
    internal void OnAbandoned(bool trial)
    {
        if (!Enabled || !trial) return;
        lock (_gate)
        {
            _trialInFlight = false;
            if (State == CircuitState.HalfOpen) State = CircuitState.Open;
        }
    }
}
