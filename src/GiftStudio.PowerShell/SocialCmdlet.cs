using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;

namespace GiftStudio.PowerShell
{
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
            var connection = Connection ?? CurrentConnection.Get();
            if (connection != null) return connection;
            connection = ConnectionFactory.FromEnvironment(timeout: null)
                ?? throw new SocialOsConfigurationException("NotConnected",
                    "Not connected to SocialOS: run Connect-SocialOS (or Start-SocialSandbox | Connect-SocialOS), pass -Connection, or set SOCIALOS_API_KEY.");
            CurrentConnection.Set(connection);
            return connection;
        }

        /// <summary>Runs async core work to completion on this (pipeline) thread, writing its
        /// verbose and debug lines as they arrive. Ctrl+C cancels it at once.</summary>
        protected T Run<T>(Func<SocialOsClient, CancellationToken, Task<T>> work)
        {
            var client = ResolveConnection().Client;
            var log = new QueuedLog();
            Task<T> task;
            using (RequestLogScope.Begin(log))
            {
                task = Task.Run(() => work(client, _stopping.Token));
            }
            while (!task.IsCompleted)
            {
                log.WaitForMessage(task);
                WriteLog(log);
            }
            WriteLog(log);
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private readonly System.Diagnostics.Stopwatch _sinceProgress = new System.Diagnostics.Stopwatch();
        private long _progressCount;
        private string? _progressActivity;

        /// <summary>Counts one item done and, at most four times a second, says so with
        /// Write-Progress ($ProgressPreference decides whether it shows).</summary>
        protected void ReportProgress(string activity)
        {
            _progressCount++;
            if (!_sinceProgress.IsRunning) { _sinceProgress.Start(); return; }
            if (_sinceProgress.ElapsedMilliseconds < 250) return;
            _sinceProgress.Restart();
            _progressActivity = activity;
            WriteProgress(new ProgressRecord(ProgressId, activity, $"{_progressCount} done"));
        }

        private int ProgressId => GetHashCode() & 0x7fffffff;

        protected override void EndProcessing()
        {
            if (_progressActivity != null)
                WriteProgress(new ProgressRecord(ProgressId, _progressActivity, $"{_progressCount} done") { RecordType = ProgressRecordType.Completed });
            base.EndProcessing();
        }

        /// <summary>Writes the error for one input and lets the pipeline go on (or stop, under
        /// -ErrorAction Stop). Ctrl+C and a downstream Select-Object -First pass through.</summary>
        protected void WriteFailure(Exception error, object? target)
        {
            if (error is PipelineStoppedException || error is OperationCanceledException && _stopping.IsCancellationRequested)
                throw new PipelineStoppedException();
            WriteError(ErrorRecords.From(error, target));
        }

        private void WriteLog(QueuedLog log)
        {
            while (log.TryTake(out var entry))
            {
                if (entry.Debug) WriteDebug(entry.Message);
                else WriteVerbose(entry.Message);
            }
        }

        public void Dispose()
        {
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Collects diagnostics from any thread until the pipeline thread writes them.</summary>
        private sealed class QueuedLog : IRequestLog
        {
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
}
