using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The log pump: the client's lines, made on pool threads, written on the one
/// waiting (pipeline) thread in order. Work is gated with TaskCompletionSource: no sleeps.</summary>
public sealed class LogPumpTests
{
    // Only bounds a hang if the pump were broken; a passing run never comes near it.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public void Lines_from_pool_threads_are_written_in_order_on_the_waiting_thread()
    {
        var pump = new LogPump();
        var caller = Environment.CurrentManagedThreadId;
        var written = new List<(int Thread, LogEntry Entry)>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var n = 0; n < 500; n++)
            {
                if (n % 2 == 0) pump.Verbose($"w{w} {n}");
                else pump.Debug($"w{w} {n}");
            }
        })).ToArray();

        pump.WaitFor(Task.WhenAll(writers), entry => written.Add((Environment.CurrentManagedThreadId, entry)));

        Assert.Equal(2000, written.Count);
        Assert.All(written, w => Assert.Equal(caller, w.Thread));
        for (var w = 0; w < 4; w++)
        {
            var mine = written.Select(x => x.Entry).Where(e => e.Message.StartsWith($"w{w} ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 500).Select(n => $"w{w} {n}"), mine.Select(e => e.Message));
            Assert.Equal(Enumerable.Range(0, 500).Select(n => n % 2 == 1), mine.Select(e => e.IsDebug));
        }
    }

    [Fact]
    public async Task Lines_are_written_while_the_work_still_runs_not_only_at_its_end()
    {
        var pump = new LogPump();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<string>();
        // The work goes on only once its first line has been written by the waiting thread.
        var work = Task.Run(async () =>
        {
            pump.Verbose("first");
            var opened = await Task.WhenAny(seen.Task, Task.Delay(Generous)) == seen.Task;
            pump.Verbose("second");
            return opened;
        });

        pump.WaitFor(work, entry =>
        {
            written.Add(entry.Message);
            if (entry.Message == "first") seen.TrySetResult();
        });

        Assert.True(await work, "the first line was not written until the work ended");
        Assert.Equal(new[] { "first", "second" }, written);
    }

    [Fact]
    public async Task The_wait_returns_when_the_work_ends_on_another_thread_with_no_lines()
    {
        var pump = new LogPump();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = Task.Run(async () => await gate.Task);
        var finisher = Task.Run(() => gate.SetResult(1));
        var written = 0;
        pump.WaitFor(work, _ => written++);
        Assert.True(work.IsCompleted);
        Assert.Equal(0, written);
        await finisher;
    }

    [Fact]
    public void A_failed_or_cancelled_work_ends_the_wait_without_throwing_and_its_lines_are_written()
    {
        var pump = new LogPump();
        var failed = Task.Run(() =>
        {
            pump.Verbose("POST /gamification/score -> 422");
            throw new InvalidOperationException("422");
        });
        var written = new List<string>();
        pump.WaitFor(failed, e => written.Add(e.Message));
        Assert.True(failed.IsFaulted);
        Assert.Equal(new[] { "POST /gamification/score -> 422" }, written);

        using var stopping = new CancellationTokenSource();
        var cancelled = Task.Run(async () =>
        {
            pump.Verbose("waiting");
            await new TaskCompletionSource().Task.WaitAsync(stopping.Token);   // ends only by cancellation
        });
        stopping.Cancel();
        pump.WaitFor(cancelled, e => written.Add(e.Message));
        Assert.True(cancelled.IsCanceled);
        Assert.Equal("waiting", written.Last());
    }

    [Fact]
    public void Drain_writes_what_has_arrived_and_nothing_twice()
    {
        var pump = new LogPump();
        var written = new List<string>();
        pump.Drain(e => written.Add(e.Message));
        Assert.Empty(written);
        pump.Verbose("a");
        pump.Debug("b");
        pump.Drain(e => written.Add((e.IsDebug ? "debug " : "verbose ") + e.Message));
        pump.Drain(e => written.Add(e.Message));
        Assert.Equal(new[] { "verbose a", "debug b" }, written);
    }

    [Fact]
    public void Levels_are_both_on_until_set_and_only_advise_the_client()
    {
        var pump = new LogPump();
        Assert.False(pump.LevelsKnown);
        Assert.True(pump.VerboseEnabled);
        Assert.True(pump.DebugEnabled);

        pump.SetLevels(verbose: true, debug: false);
        Assert.True(pump.LevelsKnown);
        Assert.True(pump.VerboseEnabled);
        Assert.False(pump.DebugEnabled);

        pump.SetLevels(verbose: false, debug: true);
        Assert.False(pump.VerboseEnabled);
        Assert.True(pump.DebugEnabled);

        // The levels tell the client what to format; the pump itself drops nothing (the
        // host's own preference decides what shows).
        pump.Verbose("v");
        pump.Debug("d");
        var written = new List<LogEntry>();
        pump.Drain(written.Add);
        Assert.Equal(new[] { (false, "v"), (true, "d") }, written.Select(e => (e.IsDebug, e.Message)));
    }

    [Fact]
    public void Calls_started_inside_its_scope_log_to_it_from_pool_threads()
    {
        // How the module attaches it: RequestLogScope flows into Task.Run.
        var pump = new LogPump();
        Task work;
        using (RequestLogScope.Begin(pump))
        {
            work = Task.Run(async () =>
            {
                await Task.Yield();
                RequestLogScope.Current?.Verbose("from the call");
            });
        }
        Assert.Null(RequestLogScope.Current);
        var written = new List<string>();
        pump.WaitFor(work, e => written.Add(e.Message));
        Assert.Equal(new[] { "from the call" }, written);
    }
}
