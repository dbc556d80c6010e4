using System;
using System.Threading;

namespace GiftStudio.Pipeline;

/// <summary>Routes diagnostics of the calls made inside a scope to one log (e.g. the
/// cmdlet that made them), even when the client is shared. Flows with async calls.</summary>
public static class RequestLogScope
{
    private static readonly AsyncLocal<IRequestLog?> CurrentLog = new AsyncLocal<IRequestLog?>();

    public static IRequestLog? Current => CurrentLog.Value;

    public static IDisposable Begin(IRequestLog? log)
    {
        var previous = CurrentLog.Value;
        CurrentLog.Value = log;
        return new Restore(previous);
    }

    private sealed class Restore : IDisposable
    {
        private readonly IRequestLog? _previous;

        public Restore(IRequestLog? previous) => _previous = previous;

        public void Dispose() => CurrentLog.Value = _previous;
    }
}
