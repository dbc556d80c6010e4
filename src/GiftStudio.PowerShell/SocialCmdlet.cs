using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;

namespace GiftStudio.PowerShell;

/// <summary>What every API cmdlet shares: the connection (-Connection, the runspace's
/// current one, or SOCIALOS_API_KEY), cancellation from Ctrl+C (StopProcessing), running
/// the async core while writing its diagnostics on the pipeline thread, and errors.</summary>
public abstract class SocialCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

    /// <summary>The connection to use instead of the current one.</summary>
    [Parameter]
    [ValidateNotNull]
    public SocialOSConnection? Connection { get; set; }

    /// <summary>The piped object itself (a CSV row, say), kept as the target of its errors;
    /// the other parameters bind from its properties.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The piped input when there is one, else the given value.</summary>
    protected object? TargetObject(object? given) => InputObject ?? given;

    internal static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>-Connection, else the runspace's current connection, else one made from
    /// the environment (SOCIALOS_API_KEY, SOCIALOS_BASE_URI) so runbooks need no connect step.</summary>
    protected SocialOSConnection ResolveConnection()
    {
        return Connection ?? CurrentConnection.Resolve()
            ?? throw new SocialOsConfigurationException("NotConnected",
                "Not connected to SocialOS: run Connect-SocialOS (or Start-SocialSandbox | Connect-SocialOS), pass -Connection, or set SOCIALOS_API_KEY.");
    }

    private readonly QueuedLog _log = new QueuedLog();

    /// <summary>Starts async core work with this cmdlet's log attached; it runs off the
    /// pipeline thread, which only ever writes.</summary>
    private Task<T> Start<T>(Func<SocialOsClient, CancellationToken, Task<T>> work)
    {
        var client = ResolveConnection().Client;
        if (!_log.LevelsKnown) _log.SetLevels(IsEnabled("Verbose", "VerbosePreference"), IsEnabled("Debug", "DebugPreference"));
        using (RequestLogScope.Begin(_log))
        {
            return Task.Run(() => work(client, _stopping.Token));
        }
    }

    /// <summary>Waits on this (pipeline) thread for <paramref name="task"/>, writing the
    /// verbose and debug lines of every request in flight as they arrive.</summary>
    private void WaitWritingLog(Task task)
    {
        while (!task.IsCompleted)
        {
            _log.WaitForMessage(task);
            WriteLog(_log);
        }
        WriteLog(_log);
    }

    /// <summary>Runs async core work to completion. Ctrl+C cancels it at once.</summary>
    protected T Run<T>(Func<SocialOsClient, CancellationToken, Task<T>> work)
    {
        var task = Start(work);
        WaitWritingLog(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
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

    // ---- concurrent pipelines ---------------------------------------------------------

    private readonly System.Collections.Generic.Queue<Pending> _pending = new System.Collections.Generic.Queue<Pending>();

    private sealed class Pending
    {
        public Pending(Task task, object? target, Action write, string? orderingKey)
        {
            Task = task;
            Target = target;
            Write = write;
            OrderingKey = orderingKey;
        }

        public string? OrderingKey { get; }

        public Task Task { get; }
        public object? Target { get; }
        public Action Write { get; }
    }

    /// <summary>Starts one item's request while earlier ones may still be in flight (at
    /// most <paramref name="limit"/>), and writes finished items strictly in input order.
    /// Memory stays bounded: never more than the limit is held.</summary>
    /// <param name="orderingKey">Items with the same key (a user id) are never in flight
    /// together, so they are applied in input order: a later -10 never overtakes an
    /// earlier +100 of the same user.</param>
    protected void Submit<T>(Func<SocialOsClient, CancellationToken, Task<T>> work, object? target, int limit, Action<T> write, string? orderingKey = null)
    {
        while (_pending.Count >= limit) CompleteOldest();
        if (orderingKey != null)
        {
            while (_pending.Any(p => string.Equals(p.OrderingKey, orderingKey, StringComparison.Ordinal))) CompleteOldest();
        }
        Task<T> task;
        try
        {
            task = Start(work);
        }
        catch (Exception error)
        {
            task = Task.FromException<T>(error);
        }
        _pending.Enqueue(new Pending(task, target, () => write(task.Result), orderingKey));
        WriteFinished();
    }

    /// <summary>Writes the error of an item that failed before it was sent, in its place
    /// after the results of the items before it.</summary>
    protected void SubmitFailure(Exception error, object? target)
    {
        // The items before it are written first; nothing after it has been sent yet.
        CompleteAll();
        WriteFailure(error, target);
    }

    /// <summary>Writes every item still in flight, in order (from EndProcessing).</summary>
    protected void CompleteAll()
    {
        while (_pending.Count > 0) CompleteOldest();
    }

    private void WriteFinished()
    {
        WriteLog(_log);
        while (_pending.Count > 0 && _pending.Peek().Task.IsCompleted) CompleteOldest();
    }

    private void CompleteOldest()
    {
        var item = _pending.Peek();
        WaitWritingLog(item.Task);
        _pending.Dequeue();
        if (item.Task.Status == TaskStatus.RanToCompletion)
        {
            item.Write();
            return;
        }
        var error = item.Task.Exception?.GetBaseException() ?? new OperationCanceledException();
        WriteFailure(error, item.Target);
    }

    private readonly ProgressMeter _progress = new ProgressMeter();
    private string? _progressActivity;

    /// <summary>How many items the pipeline will have, when the cmdlet knows (-GiftId a, b, c).</summary>
    protected long? ProgressTotal
    {
        get => _progress.Total;
        set => _progress.Total = value;
    }

    /// <summary>Counts one item done and, when the meter says so (the first item, then at
    /// most four times a second), says so with Write-Progress ($ProgressPreference decides
    /// whether it shows).</summary>
    protected void ReportProgress(string activity)
    {
        _progressActivity = activity;
        if (!_progress.Advance()) return;
        WriteProgress(new ProgressRecord(ProgressId, activity, _progress.Describe()) { PercentComplete = _progress.PercentComplete });
    }

    private int ProgressId => GetHashCode() & 0x7fffffff;

    protected override void EndProcessing()
    {
        if (_progressActivity != null && _progress.Reported)
            WriteProgress(new ProgressRecord(ProgressId, _progressActivity, _progress.Describe()) { RecordType = ProgressRecordType.Completed });
        base.EndProcessing();
    }

    /// <summary>Writes the error for one input and lets the pipeline go on (or stop, under
    /// -ErrorAction Stop). Ctrl+C and a downstream Select-Object -First pass through.</summary>
    protected void WriteFailure(Exception error, object? target)
    {
        if (error is PipelineStoppedException || error is OperationCanceledException && _stopping.IsCancellationRequested)
            throw new PipelineStoppedException();
        var record = ErrorRecords.From(error, ErrorTarget(error, target));
        // In a console full of pipeline errors, each must say which row it is about; API
        // messages name it already ([user x, key k]).
        if (InputObject != null && !(error is SocialOsException) && ItemLabel is string label)
            record.ErrorDetails = new ErrorDetails($"Row {label}: {error.Message}") { RecommendedAction = record.ErrorDetails?.RecommendedAction };
        WriteError(record);
    }

    /// <summary>How an error names the current pipeline item, e.g. "user 'alice.kred'"; null when it cannot.</summary>
    protected virtual string? ItemLabel => null;

    /// <summary>The target object an error is written with; the write cmdlets attach what a re-run needs.</summary>
    protected virtual object? ErrorTarget(Exception error, object? target) => target;

    /// <summary>Whether -Verbose/-Debug (or the preference variable) lets that stream show.</summary>
    private bool IsEnabled(string parameter, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out var bound))
            return Unwrap(bound) is SwitchParameter s ? s.IsPresent : Unwrap(bound) is bool b && b;
        var preference = Unwrap(SessionState.PSVariable.GetValue(preferenceVariable))?.ToString();
        return !(string.Equals(preference, nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase)
            || string.Equals(preference, nameof(ActionPreference.Ignore), StringComparison.OrdinalIgnoreCase));
    }

    private void WriteLog(QueuedLog log)
    {
        while (log.TryTake(out var entry))
        {
            if (entry.Debug) WriteDebug(entry.Message);
            else WriteVerbose(entry.Message);
        }
    }

    /// <summary>Called when the pipeline ends, also early (Select-Object -First): whatever
    /// is still in flight is cancelled, quietly.</summary>
    public void Dispose()
    {
        if (_pending.Count > 0) _stopping.Cancel();
        _pending.Clear();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Collects diagnostics from any thread until the pipeline thread writes them.</summary>
    private sealed class QueuedLog : IRequestLog, IRequestLogLevels
    {
        public bool LevelsKnown { get; private set; }

        public bool VerboseEnabled { get; private set; } = true;

        public bool DebugEnabled { get; private set; } = true;

        public void SetLevels(bool verbose, bool debug)
        {
            VerboseEnabled = verbose;
            DebugEnabled = debug;
            LevelsKnown = true;
        }

        private readonly ConcurrentQueue<(bool Debug, string Message)> _entries = new ConcurrentQueue<(bool, string)>();
        private readonly AutoResetEvent _signal = new AutoResetEvent(false);

        public void Verbose(string message) => Add(false, message);

        public void Debug(string message) => Add(true, message);

        public bool TryTake(out (bool Debug, string Message) entry) => _entries.TryDequeue(out entry);

        public void WaitForMessage(Task work)
        {
            // Wakes on a new line or when the work ends, whichever is first.
            WaitHandle.WaitAny(new[] { ((IAsyncResult)work).AsyncWaitHandle, _signal }, 250);
        }

        private void Add(bool debug, string message)
        {
            _entries.Enqueue((debug, message));
            _signal.Set();
        }
    }
}
