using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;

namespace GiftStudio.PowerShell;

/// <summary>Runs the async core off the pipeline thread, which only ever waits and writes:
/// each call gets the cmdlet's connection, its log and one cancellation token that Ctrl+C
/// (StopProcessing) cancels, reaching every send, body read and backoff wait.</summary>
internal sealed class AsyncBridge : IDisposable
{
    private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
    private readonly Func<SocialOsClient> _client;
    private readonly PipelineLog _log;

    /// <param name="client">Resolves the client when a call starts (a missing connection
    /// is that call's error).</param>
    public AsyncBridge(Func<SocialOsClient> client, PipelineLog log)
    {
        _client = client;
        _log = log;
    }

    /// <summary>Whether the pipeline is being stopped (Ctrl+C, or the end of an early-ended pipeline).</summary>
    public bool Stopping => _stopping.IsCancellationRequested;

    /// <summary>Cancels every call started and still to start.</summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>Starts one call on the thread pool with this cmdlet's log attached.</summary>
    public Task<T> Start<T>(Func<SocialOsClient, CancellationToken, Task<T>> work)
    {
        var client = _client();
        var token = _stopping.Token;
        using (RequestLogScope.Begin(_log.ForCalls()))
        {
            return Task.Run(() => work(client, token));
        }
    }

    /// <summary>Runs one call to completion, writing its log lines as they arrive. Ctrl+C
    /// cancels it at once and stops the pipeline.</summary>
    public T Run<T>(Func<SocialOsClient, CancellationToken, Task<T>> work)
    {
        var task = Start(work);
        _log.WaitFor(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping)
        {
            throw new PipelineStoppedException();
        }
    }

    public void Dispose() => _stopping.Dispose();
}
