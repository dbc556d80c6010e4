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
/// never trips it. A stalled server counts too: while requests are in flight, no answer to
/// any of them for <see cref="StallWindow"/> (a frozen process whose kernel still accepts
/// connections, a hung proxy) opens it at once. After <see cref="FailureThreshold"/> answerless attempts it opens for
/// <see cref="BreakDuration"/>; then one trial call decides: an answer closes it, another
/// silence opens it again. One instance per connection, shared by every client and
/// handler built for it, so its state survives handler rebuilds. Thread-safe.</summary>
public sealed class CircuitBreaker
{
    public const int DefaultFailureThreshold = 10;
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(30);

    /// <summary>The default stall window, in the unit of Connect-SocialOS -StallTimeoutSec.</summary>
    public const int DefaultStallSeconds = 30;

    public static readonly TimeSpan DefaultStallWindow = TimeSpan.FromSeconds(DefaultStallSeconds);

    private readonly object _gate = new object();
    private readonly Func<DateTime> _utcNow;
    private int _consecutiveFailures;
    private bool _trialInFlight;
    private int _inFlight;
    private DateTime _lastSign;
    private bool _openedByStall;
    private System.Threading.Tasks.TaskCompletionSource<bool>? _verdict;

    /// <param name="failureThreshold">Consecutive answerless attempts that open it; 0 turns it off (and the stall rule with it).</param>
    /// <param name="breakDuration">How long it stays open before a trial call.</param>
    /// <param name="utcNow">The clock (tests pass their own).</param>
    /// <param name="stallWindow">No answer to any request in flight for this long opens it; zero turns the stall rule off; default <see cref="DefaultStallWindow"/>.</param>
    public CircuitBreaker(int failureThreshold, TimeSpan breakDuration, Func<DateTime>? utcNow = null, TimeSpan? stallWindow = null)
    {
        if (failureThreshold < 0) throw new ArgumentOutOfRangeException(nameof(failureThreshold), "The threshold must be 0 (off) or more.");
        if (breakDuration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(breakDuration), "The break must not be negative.");
        if (stallWindow < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(stallWindow), "The stall window must be zero (off) or more.");
        FailureThreshold = failureThreshold;
        BreakDuration = breakDuration;
        StallWindow = stallWindow ?? DefaultStallWindow;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public CircuitBreaker() : this(DefaultFailureThreshold, DefaultBreakDuration) { }

    /// <summary>How long the server may answer nothing at all while requests wait; zero when the rule is off.</summary>
    public TimeSpan StallWindow { get; }

    private bool StallRuleOn => Enabled && StallWindow > TimeSpan.Zero;

    /// <summary>How long the server has answered nothing while requests were in flight; zero when none are.</summary>
    public TimeSpan Silence
    {
        get
        {
            lock (_gate) return _inFlight > 0 ? _utcNow() - _lastSign : TimeSpan.Zero;
        }
    }

    /// <summary>How long an attempt in flight may still wait before the server counts as
    /// stalled (zero: it is); null when the stall rule is off.</summary>
    internal TimeSpan? TimeUntilStalled()
    {
        if (!StallRuleOn) return null;
        lock (_gate)
        {
            var left = StallWindow - (_utcNow() - _lastSign);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>The server answered nothing for the stall window while requests waited: it
    /// is not flaky but hung, so the breaker opens at once, whatever the count.</summary>
    internal void OnStalled(bool trial)
    {
        if (!Enabled) return;
        lock (_gate)
        {
            Leave();
            _consecutiveFailures++;
            if (trial) EndTrial();
            _openedByStall = true;
            State = CircuitState.Open;
            OpenUntil = _utcNow() + BreakDuration;
        }
    }

    /// <summary>Why it is open, for the message of a call it refuses.</summary>
    internal string OpenReason
    {
        get
        {
            lock (_gate)
            {
                return _openedByStall
                    ? $"The server answered nothing for {StallWindow.TotalSeconds:0.#} s while requests were waiting (it may be hung or frozen), so calls fail at once"
                    : $"The last {_consecutiveFailures} attempts got no answer at all, so calls fail at once";
            }
        }
    }

    // An attempt goes out: the first one of a busy spell starts the silence clock.
    private void Enter()
    {
        if (_inFlight++ == 0) _lastSign = _utcNow();
    }

    private void Leave()
    {
        if (_inFlight > 0) _inFlight--;
    }

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
                    Enter();
                    return true;
                case CircuitState.Open when _utcNow() >= OpenUntil && !_trialInFlight:
                    State = CircuitState.HalfOpen;
                    _trialInFlight = true;
                    _verdict = new System.Threading.Tasks.TaskCompletionSource<bool>(System.Threading.Tasks.TaskCreationOptions.RunContinuationsAsynchronously);
                    trial = true;
                    Enter();
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>While a trial call is out: a task that ends when it has decided (the other
    /// calls wait for it instead of failing at once); null otherwise.</summary>
    internal System.Threading.Tasks.Task? PendingTrial
    {
        get
        {
            lock (_gate) return _trialInFlight ? _verdict?.Task : null;
        }
    }

    // The trial has decided: the calls waiting for it try again.
    private void EndTrial()
    {
        _trialInFlight = false;
        _verdict?.TrySetResult(true);
        _verdict = null;
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
            Leave();
            _lastSign = _utcNow();
            _consecutiveFailures = 0;
            if (trial) EndTrial();
            _openedByStall = false;
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
            Leave();
            _consecutiveFailures++;
            if (trial) EndTrial();
            if (trial || State == CircuitState.Closed && _consecutiveFailures >= FailureThreshold)
            {
                _openedByStall = false;
                State = CircuitState.Open;
                OpenUntil = _utcNow() + BreakDuration;
            }
        }
    }

    /// <summary>The attempt was cancelled by its caller: it proves nothing either way.</summary>
    internal void OnAbandoned(bool trial)
    {
        if (!Enabled) return;
        lock (_gate)
        {
            Leave();
            if (!trial) return;
            EndTrial();
            if (State == CircuitState.HalfOpen) State = CircuitState.Open;
        }
    }
}
