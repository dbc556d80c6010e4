using System;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>Keeps the WAL short beside the writer. The profile: with SQLite's auto-checkpoint,
/// the writer itself copied WAL pages back and fsynced the database every ~1,000 pages while
/// every queued request waited. This checkpointer does that on a connection of its own
/// (PASSIVE: never blocks the writer); the WAL is still fsynced at every commit, so durability
/// is unchanged.</summary>
internal sealed class WalCheckpointer
{
    /// <summary>SQLite's default auto-checkpoint size, in pages: the WAL is kept near it.</summary>
    internal const int WalPages = 1000;

    /// <summary>Committed writes between two WAL checkpoints (each touches a few pages: about
    /// SQLite's own 1,000-page auto-checkpoint).</summary>
    private const int CheckpointEvery = 256;

    /// <summary>A quiet writer's last writes (or one large write, such as --seed) are
    /// checkpointed after this long.</summary>
    private static readonly TimeSpan CheckpointIdle = TimeSpan.FromSeconds(2);

    private readonly Func<SqliteConnection> _openConnection;
    private readonly string _walPath;
    private readonly long _walLimitBytes;
    private readonly Channel<bool> _checkpointDue = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    // SQLite runs one checkpoint at a time and refuses a second with SQLITE_BUSY at once. A
    // RESTART that lost to the passive loop's checkpoint left the log growing past its limit by
    // a group per try (1,082 pages in a loaded test run): the two take turns here instead.
    private readonly object _checkpointing = new();
    private readonly Task _loop;
    private int _sinceCheckpoint;

    /// <param name="openConnection">A new connection to the file (not the writer's).</param>
    /// <param name="walLimitBytes">The log's size past which the writer restarts it.</param>
    public WalCheckpointer(Func<SqliteConnection> openConnection, string filePath, long walLimitBytes)
    {
        _openConnection = openConnection;
        _walPath = filePath + "-wal";
        _walLimitBytes = walLimitBytes;
        _loop = Task.Run(CheckpointLoop);
    }

    /// <summary>The writer committed a group of this many writes.</summary>
    public void Committed(int writes)
    {
        if (Interlocked.Add(ref _sinceCheckpoint, writes) >= CheckpointEvery) _checkpointDue.Writer.TryWrite(true);
    }

    /// <summary>Under a steady load the writer appends while the passive checkpointer copies, so
    /// the log never starts over and grows without end (400 MB after 20,000 writes from 8
    /// clients). Past about 1,000 pages the writer itself, between two groups, checkpoints what
    /// the checkpointer left (RESTART: once readers leave the log), and its next commit starts
    /// the log over, cut back to that size (journal_size_limit).</summary>
    public void RestartLogIfLarge(SqliteConnection writer)
    {
        if (!WalIsOverLimit()) return;
        try
        {
            lock (_checkpointing) Statements.Execute(writer, "PRAGMA wal_checkpoint(RESTART);");
        }
        catch (SqliteException)
        {
            // Busy or out of space: the next group tries again.
        }
    }

    private bool WalIsOverLimit()
    {
        try
        {
            var wal = new FileInfo(_walPath);
            return wal.Exists && wal.Length > _walLimitBytes;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Copies the whole log back into the data file and empties it, at once. For one
    /// large write (--seed) before the sandbox listens: a sandbox stopped or killed right after its
    /// start must not leave its whole seed in the log, where every read looks it up and the next
    /// start replays it.</summary>
    public void CheckpointNow()
    {
        using var connection = _openConnection();
        lock (_checkpointing) Statements.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private async Task CheckpointLoop()
    {
        using var connection = _openConnection();
        var reader = _checkpointDue.Reader;
        Task<bool>? due = null;
        while (true)
        {
            due ??= reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(due, Task.Delay(CheckpointIdle, _stopping.Token)).ConfigureAwait(false) == due)
            {
                if (!await due.ConfigureAwait(false)) return;
                reader.TryRead(out _);
                due = null;
            }
            if (Interlocked.Exchange(ref _sinceCheckpoint, 0) == 0) continue;
            try
            {
                lock (_checkpointing) Statements.Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (SqliteException)
            {
                // Busy or locked: the next one catches up.
            }
        }
    }

    /// <summary>Ends the loop (after the writer's last group).</summary>
    public async Task StopAsync()
    {
        _checkpointDue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
