using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace GiftStudio;

/// <summary>Lets work items run concurrently while their outcomes are written strictly in
/// input order, all on the one thread that calls it (a cmdlet's pipeline thread, the only
/// one that may write): at most a given number in flight, never two with the same ordering
/// key at once, and a failure written in its place without stopping the items after it.
/// Memory stays bounded: never more than the limit is held. Not thread-safe: one caller
/// thread, as a pipeline has. No PowerShell types, so it is tested on its own.</summary>
public sealed class InOrderQueue
{
    private readonly Queue<Item> _items = new Queue<Item>();
    private readonly Action<Exception, object?> _writeFailure;
    private readonly Action<Task> _waitFor;

    /// <param name="writeFailure">Writes the failure of one item, with the target it was
    /// submitted with. It may throw to end the pipeline (Ctrl+C): the throw passes out of
    /// <see cref="Submit{T}"/> or <see cref="CompleteAll"/> and the later items stay held.</param>
    /// <param name="waitFor">Blocks the calling thread until the task has ended, doing that
    /// thread's own chores meanwhile (writing log lines); by default a plain wait. Called
    /// before each item is written, also when it has ended already, so those chores come first.</param>
    public InOrderQueue(Action<Exception, object?> writeFailure, Action<Task>? waitFor = null)
    {
        _writeFailure = writeFailure ?? throw new ArgumentNullException(nameof(writeFailure));
        _waitFor = waitFor ?? (task => ((IAsyncResult)task).AsyncWaitHandle.WaitOne());
    }

    /// <summary>Items started and not yet written (in flight, or finished behind an earlier one).</summary>
    public int Count => _items.Count;

    /// <summary>Starts one item once there is room for it, then writes every finished item
    /// at the head of the queue. Room means fewer than <paramref name="limit"/> held and none
    /// held with the same <paramref name="orderingKey"/>; the oldest items are waited for and
    /// written until there is.</summary>
    /// <param name="start">Starts the item's work (off the calling thread); if it throws,
    /// that is the item's failure, written in its place.</param>
    /// <param name="target">What the item's failure is written with.</param>
    /// <param name="limit">How many items may be held at once, this one included (1 or more).</param>
    /// <param name="orderingKey">Items with the same key (a user id) are never in flight
    /// together, so they are applied in input order: a later -10 never overtakes an earlier
    /// +100 of the same user. Null for none. Compared ordinally.</param>
    /// <param name="write">Writes the item's result; runs on the calling thread only.</param>
    public void Submit<T>(Func<Task<T>> start, object? target, int limit, Action<T> write, string? orderingKey = null)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit of items in flight must be 1 or more.");
        while (_items.Count >= limit) CompleteOldest();
        if (orderingKey != null)
        {
            while (Holds(orderingKey)) CompleteOldest();
        }
        Task<T> task;
        try
        {
            task = start();
        }
        catch (Exception error)
        {
            task = Task.FromException<T>(error);
        }
        _items.Enqueue(new Item(task, target, () => write(task.Result), orderingKey));
        WriteFinished();
    }

    /// <summary>Waits for and writes every item still held, in order (at the end of the
    /// pipeline, or before something that must follow all of them).</summary>
    public void CompleteAll()
    {
        while (_items.Count > 0) CompleteOldest();
    }

    /// <summary>Forgets every item still held without writing it (the pipeline ended
    /// early); true when there was any, so the caller cancels what is in flight.</summary>
    public bool Abandon()
    {
        var any = _items.Count > 0;
        _items.Clear();
        return any;
    }

    // At most -ThrottleLimit items: a loop without a closure beats a lookup table here.
    private bool Holds(string orderingKey)
    {
        foreach (var item in _items)
        {
            if (string.Equals(item.OrderingKey, orderingKey, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private void WriteFinished()
    {
        while (_items.Count > 0 && _items.Peek().Task.IsCompleted) CompleteOldest();
    }

    private void CompleteOldest()
    {
        var item = _items.Peek();
        _waitFor(item.Task);
        if (!item.Task.IsCompleted) throw new InvalidOperationException("The wait returned before the item's task had ended.");
        _items.Dequeue();
        if (item.Task.Status == TaskStatus.RanToCompletion)
        {
            item.Write();
            return;
        }
        // A cancelled task has no exception of its own.
        _writeFailure(item.Task.Exception?.GetBaseException() ?? new OperationCanceledException(), item.Target);
    }

    private sealed class Item
    {
        public Item(Task task, object? target, Action write, string? orderingKey)
        {
            Task = task;
            Target = target;
            Write = write;
            OrderingKey = orderingKey;
        }

        public Task Task { get; }
        public object? Target { get; }
        public Action Write { get; }
        public string? OrderingKey { get; }
    }
}
