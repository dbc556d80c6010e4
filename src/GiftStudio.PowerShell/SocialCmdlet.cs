using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell;

/// <summary>What every API cmdlet shares, as the cmdlet lifecycle: the connection
/// (<see cref="ConnectionResolver"/>), calls into the async core (<see cref="AsyncBridge"/>)
/// with their log lines written on the pipeline thread (<see cref="PipelineLog"/>), the
/// ordered concurrency queue (<see cref="InOrderQueue"/>), progress
/// (<see cref="PipelineProgress"/>), and errors.</summary>
public abstract class SocialCmdlet : PSCmdlet, IDisposable
{
    private readonly PipelineLog _log;
    private readonly AsyncBridge _calls;
    private readonly InOrderQueue _inOrder;
    private readonly PipelineProgress _progress;
    private CircuitBreaker? _breaker;

    protected SocialCmdlet()
    {
        _log = new PipelineLog(this);
        _calls = new AsyncBridge(() =>
        {
            var connection = ResolveConnection();
            _breaker = connection.CircuitBreaker;
            return connection.Client;
        }, _log);
        _inOrder = new InOrderQueue(WriteFailure, task => _log.WaitFor(task, ShowWaiting));
        _progress = new PipelineProgress(this);
    }

    /// <summary>While results wait on a server that answers nothing, progress says so
    /// (instead of standing still at the last count).</summary>
    private void ShowWaiting()
    {
        if (_breaker?.Silence is TimeSpan silence && silence >= PipelineProgress.SilenceWorthSaying) _progress.Waiting(silence);
    }

    /// <summary>The connection to use instead of the current one.</summary>
    [Parameter]
    [ValidateNotNull]
    public SocialOSConnection? Connection { get; set; }

    /// <summary>The piped object itself (a CSV row, say), kept as the target of its errors;
    /// the other parameters bind from its properties.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    // ---- the lifecycle ----------------------------------------------------------------

    /// <summary>Writes what is still in flight, in order, then closes the progress activity.</summary>
    protected override void EndProcessing()
    {
        CompleteAll();
        _progress.Complete();
        base.EndProcessing();
    }

    /// <summary>Ctrl+C: cancels every call in flight and still to start.</summary>
    protected override void StopProcessing() => _calls.Stop();

    /// <summary>Called when the pipeline ends, also early (Select-Object -First): whatever
    /// is still in flight is cancelled, quietly.</summary>
    public void Dispose()
    {
        if (_inOrder.Abandon()) _calls.Stop();
        _calls.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- for the cmdlets ----------------------------------------------------------------

    /// <summary>The piped input when there is one, else the given value.</summary>
    protected object? TargetObject(object? given) => InputObject ?? given;

    /// <summary><see cref="PSValue.Unwrap"/>, for the cmdlets.</summary>
    internal static object? Unwrap(object? value) => PSValue.Unwrap(value);

    /// <summary>-Connection, else the runspace's current connection, else one made from the environment.</summary>
    protected SocialOSConnection ResolveConnection() => ConnectionResolver.Resolve(Connection);

    /// <summary>Runs async core work to completion. Ctrl+C cancels it at once.</summary>
    protected T Run<T>(Func<SocialOsClient, CancellationToken, Task<T>> work) => _calls.Run(work);

    /// <summary>The pages of a list, each read through <see cref="Run"/> only when the loop asks
    /// for it: what the consumer writes goes out before the next page is requested, and
    /// nothing more is sent once it stops.</summary>
    protected IEnumerable<GiftPage> PagesOf(Func<SocialOsClient, GiftPager> open)
    {
        GiftPager? pager = null;
        do yield return Run((client, cancel) => (pager ??= open(client)).NextAsync(cancel));
        while (!pager!.Done);
    }

    /// <summary>Reads one object per given id (gift ids, user ids), writing each as it
    /// arrives and one error for each id that fails.</summary>
    protected void WriteEach<T>(string[] ids, string parameter, Func<SocialOsClient, string, CancellationToken, Task<T>> read)
    {
        // Given as an array (-UserId a, b, c), the total is known: progress shows what is left.
        if (ids.Length > 1) ProgressTotal = (ProgressTotal ?? 0) + ids.Length;
        foreach (var id in ids)
        {
            try
            {
                var value = StrictInput.RequiredText(id, parameter).Trim();
                WriteObject(Run((client, cancel) => read(client, value, cancel)));
            }
            catch (Exception error) when (!(error is PipelineStoppedException))
            {
                WriteFailure(error, TargetObject(id));
            }
            if (ids.Length > 1) ReportProgress($"Reading {parameter} values");
        }
    }

    /// <summary>Starts one item's request while earlier ones may still be in flight (at
    /// most <paramref name="limit"/>), and writes finished items strictly in input order
    /// (<see cref="InOrderQueue"/>); a failure is written in its place.</summary>
    /// <param name="orderingKey">Items with the same key (a user id) are never in flight
    /// together, so they are applied in input order.</param>
    protected void Submit<T>(Func<SocialOsClient, CancellationToken, Task<T>> work, object? target, int limit, Action<T> write, string? orderingKey = null)
    {
        _inOrder.Submit(() => _calls.Start(work), target, limit, write, orderingKey);
        _log.Drain();
    }

    /// <summary>Writes the error of an item that failed before it was sent, in its place
    /// after the results of the items before it.</summary>
    protected void SubmitFailure(Exception error, object? target)
    {
        // The items before it are written first; nothing after it has been sent yet.
        CompleteAll();
        WriteFailure(error, target);
    }

    /// <summary>Writes every item still in flight, in order.</summary>
    protected void CompleteAll() => _inOrder.CompleteAll();

    /// <summary>How many items the pipeline will have, when the cmdlet knows (-GiftId a, b, c).</summary>
    protected long? ProgressTotal
    {
        get => _progress.Total;
        set => _progress.Total = value;
    }

    /// <summary>Counts one item done and says so with Write-Progress when it is time.</summary>
    protected void ReportProgress(string activity) => _progress.Advance(activity);

    /// <summary>Writes the error for one input and lets the pipeline go on (or stop, under
    /// -ErrorAction Stop). Ctrl+C and a downstream Select-Object -First pass through.</summary>
    protected void WriteFailure(Exception error, object? target)
    {
        if (error is PipelineStoppedException || error is OperationCanceledException && _calls.Stopping)
            throw new PipelineStoppedException();
        var row = target as PipelineRow;
        var errorTarget = ErrorTarget(error, row != null ? row.Input : target);
        var record = ErrorRecords.From(error, errorTarget);
        // In a console (or failure file) full of pipeline errors, each says which row it is
        // about, in its message and as properties of its target.
        if (row != null)
        {
            row.MarkOn(errorTarget);
            record.ErrorDetails = new ErrorDetails(row.Describe() + ": " + error.Message) { RecommendedAction = record.ErrorDetails?.RecommendedAction };
        }
        WriteError(record);
    }

    private long _pipelinePosition;
    private int? _csvHeaderLines;
    private bool _csvSourceKnown;

    /// <summary>The current pipeline item as a row that errors can name (its position, CSV
    /// line and key fields), or the given target as it is for a command-line call.</summary>
    protected object? RowOf(object? target)
    {
        if (InputObject == null) return target;
        if (!_csvSourceKnown)
        {
            _csvSourceKnown = true;
            _csvHeaderLines = PipelineRow.CsvHeaderLines(MyInvocation);
        }
        return new PipelineRow(InputObject, ++_pipelinePosition, ItemLabel, _csvHeaderLines);
    }

    /// <summary>How an error names the current pipeline item, e.g. "user 'alice.kred'"; null when it cannot.</summary>
    protected virtual string? ItemLabel => null;

    /// <summary>The target object an error is written with; the write cmdlets attach what a re-run needs.</summary>
    protected virtual object? ErrorTarget(Exception error, object? target) => target;
}
