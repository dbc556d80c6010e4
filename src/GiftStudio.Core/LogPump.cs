using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio;

/// <summary>One diagnostics line of the client, as the log pump hands it over.</summary>
public readonly struct LogEntry
{
    public LogEntry(bool isDebug, string message)
    {
        IsDebug = isDebug;
        Message = message;
    }

    /// <summary>True for a debug line, false for a verbose one.</summary>
    public bool IsDebug { get; }

    public string Message { get; }
}

/// <summary>Carries the client's diagnostics from the threads that make the calls to the one
/// thread that may write them (a cmdlet's pipeline thread), in the order they were made:
/// any thread adds, the waiting thread drains while it waits for the work to end. No
/// PowerShell types, so it is tested on its own.</summary>
public sealed class LogPump : IRequestLog, IRequestLogLevels
{
    // A new line or the work's end wakes the waiter at once; this only bounds a lost wake-up.
    private static readonly TimeSpan WakeAtLeastEvery = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentQueue<LogEntry> _entries = new ConcurrentQueue<LogEntry>();
    private readonly AutoResetEvent _signal = new AutoResetEvent(false);

    /// <summary>Whether <see cref="SetLevels"/> was called; until then both levels are on.</summary>
    public bool LevelsKnown { get; private set; }

    public bool VerboseEnabled { get; private set; } = true;

    public bool DebugEnabled { get; private set; } = true;

    /// <summary>Which levels anyone will read, so the client does not format lines that are dropped.</summary>
    public void SetLevels(bool verbose, bool debug)
    {
        VerboseEnabled = verbose;
        DebugEnabled = debug;
        LevelsKnown = true;
    }

    public void Verbose(string message) => Add(new LogEntry(false, message));

    public void Debug(string message) => Add(new LogEntry(true, message));

    /// <summary>Writes every line added so far, oldest first, on the calling thread.</summary>
    public void Drain(Action<LogEntry> write)
    {
        while (_entries.TryDequeue(out var entry)) write(entry);
    }

    /// <summary>Blocks the calling thread until <paramref name="work"/> has ended (however it
    /// ends; its outcome is not observed here), writing lines as they arrive and, last, every
    /// line added before it ended.</summary>
    /// <param name="work">What to wait for.</param>
    /// <param name="write">Writes one line.</param>
    /// <param name="idle">Called on each wake-up while the work goes on (progress, say).</param>
    public void WaitFor(Task work, Action<LogEntry> write, Action? idle = null)
    {
        // The work's end sets the same signal as a new line: no wait handle per task.
        if (!work.IsCompleted)
        {
            work.ContinueWith((_, signal) => ((AutoResetEvent)signal!).Set(), _signal,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        while (!work.IsCompleted)
        {
            _signal.WaitOne(WakeAtLeastEvery);
            Drain(write);
            if (!work.IsCompleted) idle?.Invoke();
        }
        Drain(write);
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        _signal.Set();
    }
}
