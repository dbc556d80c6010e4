using System;
using System.Threading;

namespace GiftStudio.Sandbox;

/// <summary>The sandbox's notion of now: real time, or real time shifted so that it started
/// at the --now instant (reproducible demos and tests that still see time pass). With
/// --clock manual it stands still and moves only when told (POST /_sandbox/clock), so a
/// test of anything timed (rate-limit refills, expiries) controls time instead of waiting.
/// Time passes as the <see cref="TimeProvider"/> says: the system's in a process, a fake one
/// that a test moves in an in-process sandbox.</summary>
public sealed class Clock
{
    private readonly DateTimeOffset _start;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private long _advancedTicks;

    public Clock(DateTimeOffset? start, bool manual = false, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _start = start ?? _time.GetUtcNow();
        _startTimestamp = _time.GetTimestamp();
        Manual = manual;
    }

    /// <summary>The instant the clock started at (--now, or the real time at start).</summary>
    public DateTimeOffset Start => _start;

    public bool Manual { get; }

    /// <summary>Time passed since start: as the time provider says, or only what was advanced on a manual clock.</summary>
    public TimeSpan Elapsed => Manual ? TimeSpan.FromTicks(Interlocked.Read(ref _advancedTicks)) : _time.GetElapsedTime(_startTimestamp);

    public DateTimeOffset Now => _start + Elapsed;

    public long NowMs => Now.ToUnixTimeMilliseconds();

    /// <summary>Moves a manual clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        if (!Manual) throw new InvalidOperationException("Only a manual clock (--clock manual) can be advanced.");
        Interlocked.Add(ref _advancedTicks, by.Ticks);
    }
}
