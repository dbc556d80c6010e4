using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The ordered concurrency queue behind -ThrottleLimit. Every item's task is a
/// TaskCompletionSource the test completes, so the order in which work finishes is the
/// test's choice: no sleeps, no clock.</summary>
public sealed class InOrderQueueTests
{
    /// <summary>A queue whose items the test finishes by hand, recording what is written.</summary>
    private sealed class Harness
    {
        private readonly List<TaskCompletionSource<int>> _sources = new();

        public Harness(Func<Harness, Task, bool>? onWait = null)
        {
            // By default a wait finishes the waited item (as if it ended while waited for).
            OnWait = onWait ?? ((h, task) => h.Finish(h.IndexOf(task)));
            Queue = new InOrderQueue((error, target) => Written.Add($"fail {target}: {error.GetType().Name} {error.Message}"), Wait);
        }

        public InOrderQueue Queue { get; }
        public List<string> Written { get; } = new();
        public List<int> WaitedFor { get; } = new();
        public int MaxInFlight { get; private set; }
        public Func<Harness, Task, bool> OnWait { get; set; }

        /// <summary>Called when an item starts; a check can look at the state at that moment.</summary>
        public Action<int>? OnStart { get; set; }

        public int Count => _sources.Count;

        public int IndexOf(Task task) => _sources.FindIndex(s => s.Task == task);

        public bool IsFinished(int index) => _sources[index].Task.IsCompleted;

        public bool Finish(int index, Exception? error = null)
        {
            return error is null ? _sources[index].TrySetResult(index) : _sources[index].TrySetException(error);
        }

        public void Cancel(int index) => _sources[index].TrySetCanceled();

        /// <summary>Submits the next item (whose start throws <paramref name="startFails"/>
        /// when given); returns its index.</summary>
        public int Submit(int limit, string? key = null, Exception? startFails = null)
        {
            var index = _sources.Count;
            _sources.Add(new TaskCompletionSource<int>());
            Queue.Submit(() =>
            {
                OnStart?.Invoke(index);
                if (startFails != null) throw startFails;
                // Every earlier item has started; the unfinished ones are in flight with this one.
                var inFlight = 1 + _sources.Take(index).Count(s => !s.Task.IsCompleted);
                MaxInFlight = Math.Max(MaxInFlight, inFlight);
                return _sources[index].Task;
            }, $"t{index}", limit, result => Written.Add($"ok {result}"), key);
            return index;
        }

        /// <summary>The queue calls this before writing each item; only an unfinished one is a real wait.</summary>
        private void Wait(Task task)
        {
            if (task.IsCompleted) return;
            WaitedFor.Add(IndexOf(task));
            OnWait(this, task);
        }
    }

    private static string[] Ok(params int[] indexes) => indexes.Select(i => $"ok {i}").ToArray();

    [Fact]
    public void Results_come_out_in_input_order_whatever_order_the_tasks_finish_in()
    {
        var h = new Harness();
        for (var i = 0; i < 5; i++) h.Submit(limit: 8);
        Assert.Empty(h.Written);

        // Later items finish first: nothing is written while the first is still out.
        h.Finish(4);
        h.Finish(2);
        h.Submit(limit: 8);             // 5
        h.Finish(5);
        Assert.Empty(h.Written);
        Assert.Empty(h.WaitedFor);

        // The first finishes: it is written at the next submit, and only it (1 is still out).
        h.Finish(0);
        h.Submit(limit: 8);             // 6
        Assert.Equal(Ok(0), h.Written);

        h.Finish(3);
        h.Finish(1);
        h.Finish(6);
        h.Queue.CompleteAll();
        Assert.Equal(Ok(0, 1, 2, 3, 4, 5, 6), h.Written);
        Assert.Equal(0, h.Queue.Count);
    }

    [Fact]
    public void Finished_items_at_the_head_are_written_at_the_next_submit_without_waiting()
    {
        var h = new Harness((_, _) => throw new InvalidOperationException("no wait expected"));
        h.Submit(limit: 4);
        h.Submit(limit: 4);
        h.Finish(0);
        h.Finish(1);
        h.Submit(limit: 4);
        Assert.Equal(Ok(0, 1), h.Written);
        Assert.Equal(1, h.Queue.Count);
        Assert.Empty(h.WaitedFor);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Never_more_than_the_limit_is_in_flight_and_the_oldest_is_waited_for(int limit)
    {
        var h = new Harness();
        for (var i = 0; i < 30; i++)
        {
            h.Submit(limit);
            Assert.True(h.Queue.Count <= limit, $"{h.Queue.Count} held with a limit of {limit}");
        }
        Assert.Equal(limit, h.MaxInFlight);
        // Each wait was for the oldest item, so they went in input order.
        Assert.Equal(Enumerable.Range(0, 30 - limit), h.WaitedFor);
        h.Queue.CompleteAll();
        Assert.Equal(Ok(Enumerable.Range(0, 30).ToArray()), h.Written);
    }

    [Fact]
    public void A_finished_item_behind_an_unfinished_one_still_counts_against_the_limit()
    {
        // Memory stays bounded: results waiting for their turn are held, and count.
        var h = new Harness();
        h.Submit(limit: 2);
        h.Submit(limit: 2);
        h.Finish(1);
        h.Submit(limit: 2);
        Assert.Equal(new[] { 0 }, h.WaitedFor);
        Assert.Equal(Ok(0, 1), h.Written);
    }

    [Fact]
    public void Two_items_with_the_same_ordering_key_are_never_in_flight_together()
    {
        var h = new Harness();
        h.OnStart = index =>
        {
            if (index == 2) Assert.True(h.IsFinished(0), "item 2 (user a) started while item 0 (user a) was in flight");
        };
        h.Submit(limit: 8, key: "user-a");     // 0
        h.Submit(limit: 8, key: "user-b");     // 1
        h.Submit(limit: 8, key: "user-a");     // 2 waits for 0, not for 1
        Assert.Equal(new[] { 0 }, h.WaitedFor);
        Assert.Equal(Ok(0), h.Written);
        Assert.False(h.IsFinished(1));
        Assert.Equal(2, h.Queue.Count);

        h.Finish(2);
        h.Finish(1);
        h.Queue.CompleteAll();
        Assert.Equal(Ok(0, 1, 2), h.Written);
    }

    [Fact]
    public void The_second_item_of_a_key_waits_for_everything_before_the_first_too_so_order_holds()
    {
        var h = new Harness();
        h.Submit(limit: 8, key: "user-b");     // 0
        h.Submit(limit: 8, key: "user-a");     // 1
        h.Submit(limit: 8);                    // 2, no key
        h.Submit(limit: 8, key: "user-a");     // 3: 1 must end, and 0 before it is written
        Assert.Equal(new[] { 0, 1 }, h.WaitedFor);
        Assert.Equal(Ok(0, 1), h.Written);
        Assert.False(h.IsFinished(2));
        h.Queue.CompleteAll();
        Assert.Equal(Ok(0, 1, 2, 3), h.Written);
    }

    [Fact]
    public void Ordering_keys_compare_ordinally_and_no_key_never_waits()
    {
        var h = new Harness();
        h.Submit(limit: 8, key: "alice");
        h.Submit(limit: 8, key: "Alice");
        h.Submit(limit: 8);
        h.Submit(limit: 8);
        Assert.Empty(h.WaitedFor);
        Assert.Equal(4, h.Queue.Count);
    }

    [Fact]
    public void A_failure_is_written_in_its_place_and_the_items_after_it_go_on()
    {
        var h = new Harness();
        h.Submit(limit: 8);                                                      // 0
        h.Submit(limit: 8);                                                      // 1 fails on the wire
        h.Submit(limit: 8, startFails: new FormatException("bad row"));          // 2 fails to start
        h.Submit(limit: 8);                                                      // 3
        h.Finish(3);
        h.Finish(1, new AggregateException(new InvalidOperationException("422 rule")));
        h.Finish(0);
        h.Queue.CompleteAll();
        Assert.Equal(new[]
        {
            "ok 0",
            // The first inner exception, not the task's AggregateException wrapping.
            "fail t1: InvalidOperationException 422 rule",
            "fail t2: FormatException bad row",
            "ok 3",
        }, h.Written);
    }

    [Fact]
    public void A_cancelled_item_is_written_as_cancelled_in_its_place()
    {
        var h = new Harness();
        h.Submit(limit: 8);
        h.Submit(limit: 8);
        h.Submit(limit: 8);
        h.Cancel(1);
        h.Finish(0);
        h.Finish(2);
        h.Queue.CompleteAll();
        Assert.Equal("ok 0", h.Written[0]);
        Assert.StartsWith("fail t1: OperationCanceledException", h.Written[1]);
        Assert.Equal("ok 2", h.Written[2]);
    }

    [Fact]
    public void Cancelling_the_token_of_the_work_ends_every_item_in_flight_in_order()
    {
        // The cmdlet's way: one token for every call, cancelled by Ctrl+C.
        using var stopping = new CancellationTokenSource();
        var written = new List<string>();
        var queue = new InOrderQueue((error, target) => written.Add($"{target}: {error is OperationCanceledException}"));
        var never = new TaskCompletionSource<int>();
        for (var i = 0; i < 4; i++)
        {
            var index = i;
            queue.Submit(() => Task.Run(async () => await never.Task.WaitAsync(stopping.Token)), $"t{index}", 8, r => written.Add($"ok {r}"));
        }
        Assert.Empty(written);
        stopping.Cancel();
        queue.CompleteAll();
        Assert.Equal(new[] { "t0: True", "t1: True", "t2: True", "t3: True" }, written);
    }

    [Fact]
    public void A_failure_writer_that_throws_stops_the_writing_and_the_rest_can_be_abandoned()
    {
        // Ctrl+C: the cmdlet's failure writer throws PipelineStoppedException.
        var written = new List<string>();
        var sources = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var queue = new InOrderQueue((error, target) => throw new OperationCanceledException("stopping"));
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            queue.Submit(() => sources[index].Task, $"t{index}", 8, r => written.Add($"ok {r}"));
        }
        sources[0].SetResult(0);
        sources[1].SetCanceled();
        sources[2].SetResult(2);
        var thrown = Assert.Throws<OperationCanceledException>(queue.CompleteAll);
        Assert.Equal("stopping", thrown.Message);
        Assert.Equal(new[] { "ok 0" }, written);
        Assert.Equal(1, queue.Count);
        Assert.True(queue.Abandon());
        Assert.Equal(0, queue.Count);
        Assert.False(queue.Abandon());
        Assert.Equal(new[] { "ok 0" }, written);
    }

    [Fact]
    public async Task Writes_run_on_the_calling_thread_only_while_the_work_finishes_on_pool_threads()
    {
        var caller = Environment.CurrentManagedThreadId;
        var writers = new List<int>();
        var finishers = new List<int>();
        var queue = new InOrderQueue((error, target) => writers.Add(Environment.CurrentManagedThreadId));
        var sources = Enumerable.Range(0, 16).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var results = new List<int>();
        for (var i = 0; i < sources.Length; i++)
        {
            var index = i;
            queue.Submit(() => Task.Run(async () => await sources[index].Task), $"t{index}", 16, r =>
            {
                writers.Add(Environment.CurrentManagedThreadId);
                results.Add(r);
            });
        }
        // Another thread finishes them, last first, while this one waits in CompleteAll.
        var finisher = Task.Run(() =>
        {
            lock (finishers) finishers.Add(Environment.CurrentManagedThreadId);
            for (var i = sources.Length - 1; i >= 0; i--)
            {
                if (i == 7) sources[i].SetException(new InvalidOperationException("row 7"));
                else sources[i].SetResult(i);
            }
        });
        queue.CompleteAll();
        await finisher;

        Assert.Equal(Enumerable.Range(0, 16).Where(i => i != 7), results);
        Assert.Equal(16, writers.Count);
        Assert.All(writers, id => Assert.Equal(caller, id));
        Assert.DoesNotContain(caller, finishers);
    }

    [Fact]
    public void Many_items_finishing_in_a_random_order_keep_every_rule()
    {
        // A fixed seed: each wait finishes a random handful of what is in flight besides the
        // waited item, so items end in a scrambled order under the limit and the keys.
        var random = new Random(20261130);
        const int limit = 8;
        var keys = new string?[] { "u1", "u2", "u3", "u4", null };
        var itemKeys = new List<string?>();
        var h = new Harness((harness, task) =>
        {
            for (var i = 0; i < harness.Count; i++)
            {
                if (!harness.IsFinished(i) && random.Next(3) == 0) harness.Finish(i);
            }
            return harness.Finish(harness.IndexOf(task));
        });
        h.OnStart = index =>
        {
            var key = itemKeys[index];
            if (key == null) return;
            for (var i = 0; i < index; i++)
            {
                if (itemKeys[i] == key) Assert.True(h.IsFinished(i), $"item {index} started while item {i} of {key} was in flight");
            }
        };
        for (var i = 0; i < 500; i++)
        {
            var key = keys[random.Next(keys.Length)];
            itemKeys.Add(key);
            h.Submit(limit, key);
            Assert.True(h.Queue.Count <= limit);
        }
        h.Queue.CompleteAll();
        Assert.True(h.MaxInFlight <= limit);
        Assert.Equal(Ok(Enumerable.Range(0, 500).ToArray()), h.Written);
    }

    [Fact]
    public void A_limit_below_one_is_refused_with_its_value()
    {
        var queue = new InOrderQueue((_, _) => { });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => queue.Submit(() => Task.FromResult(1), null, 0, _ => { }));
        Assert.Equal("limit", error.ParamName);
        Assert.Equal(0, error.ActualValue);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_wait_that_returns_before_the_task_ends_is_a_bug_said_plainly()
    {
        var queue = new InOrderQueue((_, _) => { }, _ => { });
        var never = new TaskCompletionSource<int>();
        queue.Submit(() => never.Task, null, 1, _ => { });
        var error = Assert.Throws<InvalidOperationException>(() => queue.Submit(() => Task.FromResult(2), null, 1, _ => { }));
        Assert.Contains("before the item's task had ended", error.Message);
    }

    [Fact]
    public async Task The_default_wait_blocks_until_another_thread_finishes_the_item()
    {
        var written = new List<int>();
        var queue = new InOrderQueue((_, _) => { });
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Submit(() => gate.Task, null, 1, written.Add);
        // The second submit must wait for the first (limit 1); a pool thread finishes it.
        var finisher = Task.Run(() => gate.SetResult(1));
        queue.Submit(() => Task.FromResult(2), null, 1, written.Add);
        await finisher;
        Assert.Equal(new[] { 1, 2 }, written);
    }
}
