using System;
using System.Diagnostics;
using System.Threading;

namespace GiftStudio.Sandbox;

/// <summary>The sandbox's notion of now: real time, or real time shifted so that it started
/// at the --now instant (reproducible demos and tests that still see time pass). With
/// --clock manual it stands still and moves only when told (POST /_sandbox/clock), so a
/// test of anything timed (rate-limit refills, expiries) controls time instead of waiting.</summary>
public sealed class Clock
{
    private readonly DateTimeOffset _start;
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private long _advancedTicks;

    public Clock(DateTimeOffset? start, bool manual = false)
    {
        _start = start ?? DateTimeOffset.UtcNow;
        Manual = manual;
    }

    /// <summary>The instant the clock started at (--now, or the real time at start).</summary>
    public DateTimeOffset Start => _start;

    public bool Manual { get; }

    /// <summary>Time passed since start: real, or only what was advanced on a manual clock.</summary>
    public TimeSpan Elapsed => Manual ? TimeSpan.FromTicks(Interlocked.Read(ref _advancedTicks)) : Stopwatch.GetElapsedTime(_startTicks);

    public DateTimeOffset Now => _start + Elapsed;

    public long NowMs => Now.ToUnixTimeMilliseconds();

    /// <summary>Moves a manual clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        if (!Manual) throw new InvalidOperationException("Only a manual clock (--clock manual) can be advanced.");
        Interlocked.Add(ref _advancedTicks, by.Ticks);
    }
}
