using System;
using System.Diagnostics;

namespace GiftStudio.Sandbox;

/// <summary>The sandbox's notion of now: real time, or real time shifted so that it started
/// at the --now instant (reproducible demos and tests that still see time pass).</summary>
public sealed class Clock
{
    private readonly DateTimeOffset _start;
    private readonly long _startTicks = Stopwatch.GetTimestamp();

    public Clock(DateTimeOffset? start) => _start = start ?? DateTimeOffset.UtcNow;

    /// <summary>The instant the clock started at (--now, or the real time at start).</summary>
    public DateTimeOffset Start => _start;

    public DateTimeOffset Now => _start + Stopwatch.GetElapsedTime(_startTicks);

    public long NowMs => Now.ToUnixTimeMilliseconds();
}
