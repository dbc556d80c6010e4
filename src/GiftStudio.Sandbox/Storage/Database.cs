using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The SQLite file: schema, read connections, and the one writer.
/// All writes go through a single writer connection that commits in groups: each queued
/// write runs in its own savepoint (all-or-nothing on its own), and one COMMIT with
/// synchronous=FULL makes the whole group durable before any of them is answered.
/// One writer also means a read-modify-write of a score can never lose an increment.</summary>
public sealed class Database : IAsyncDisposable
{
    /// <summary>Stated in the README: FULL in WAL mode fsyncs the log at every commit, so a
    /// write that was answered 2xx survives a crash of the process and a power loss.</summary>
    /// <summary>FULL: an answered write survives a crash and a power loss. OFF (--storage memory):
    /// the file is temporary anyway.</summary>
    public string Synchronous { get; }

    private const int MaxGroup = 256;

    /// <summary>Committed writes between two WAL checkpoints (each touches a few pages: about
    /// SQLite's own 1,000-page auto-checkpoint).</summary>
    private const int CheckpointEvery = 256;

    /// <summary>SQLite's default auto-checkpoint size, in pages: the WAL is kept near it.</summary>
    internal const int WalPages = 1000;

    /// <summary>A quiet writer's last writes (or one large write, such as --seed) are
    /// checkpointed after this long.</summary>
    private static readonly TimeSpan CheckpointIdle = TimeSpan.FromSeconds(2);

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Channel<WriteItem> _queue = Channel.CreateBounded<WriteItem>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writerLoop;

    // The profile: with SQLite's auto-checkpoint, the writer itself copied WAL pages back and
    // fsynced the database every ~1,000 pages while every queued request waited. A checkpointer
    // of its own does that beside the writer (PASSIVE: never blocks it); the WAL is still fsynced
    // at every commit, so durability is unchanged.
    private readonly Channel<bool> _checkpointDue = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _checkpointLoop;
    private readonly System.Threading.CancellationTokenSource _stopping = new();
    private int _sinceCheckpoint;
    private readonly long _walLimitBytes;
    private volatile string? _writeFailure;

    public Database(string path, bool durable = true)
    {
        Synchronous = durable ? "FULL" : "OFF";
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        Execute(_writer, $"PRAGMA synchronous={Synchronous};");
        Execute(_writer, "PRAGMA busy_timeout=30000;");
        Execute(_writer, "PRAGMA wal_autocheckpoint=0;");
        _walLimitBytes = WalPages * PageSize(_writer);
        // When a checkpoint lets the log start over, the file is cut back to this size.
        Execute(_writer, $"PRAGMA journal_size_limit={_walLimitBytes};");
        Schema.Apply(_writer);
        _writerLoop = Task.Run(WriterLoop);
        _checkpointLoop = Task.Run(CheckpointLoop);
    }

    public string FilePath => _writer.DataSource;

    /// <summary>Why the last write could not be stored (see <see cref="StorageFailure"/>), or
    /// null once a write was stored again.</summary>
    public string? WriteFailure => _writeFailure;

    /// <summary>Why closing the file failed (its last checkpoint), or null: set by <see cref="DisposeAsync"/>.</summary>
    public string? CloseFailure { get; private set; }

    /// <summary>The store's fault seam for tests that cannot mount a small file system: SQLite
    /// itself refuses to grow the file past this many pages (SQLITE_FULL, "database or disk is
    /// full"), as a full disk does. At least the current size.</summary>
    internal Task<long> LimitPagesAsync(long pages) => WriteAsync(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"PRAGMA max_page_count={pages};";
        return (long)command.ExecuteScalar()!;
    });

    private static long PageSize(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>For /health while <see cref="WriteFailure"/> is set: a write as large as the
    /// largest request (64 KiB, then deleted in the same transaction), which clears the failure
    /// when the file takes it again.</summary>
    public async Task<string?> ProbeWriteAsync()
    {
        try
        {
            await WriteAsync(c =>
            {
                using var command = c.CreateCommand();
                command.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', zeroblob(65536)); DELETE FROM meta WHERE key = 'write_probe';";
                return command.ExecuteNonQuery();
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFailure.Reason(e) is not null)
        {
            // Recorded by the writer.
        }
        return WriteFailure;
    }

    /// <summary>Raised on the writer after any write was rolled back (one item or a group),
    /// so state kept beside the tables (the rank index) can be read again.</summary>
    public event Action<SqliteConnection>? RolledBack;

    /// <summary>Raised on the writer after a group committed.</summary>
    public event Action? Committed;

    /// <summary>A new read connection; WAL lets readers run beside the writer.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _readers = new();

    /// <summary>Runs a read on a kept-open reader connection, so its prepared statements are
    /// reused from request to request.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read)
    {
        if (!_readers.TryTake(out var connection)) connection = OpenReader();
        try
        {
            return Task.FromResult(read(connection));
        }
        finally
        {
            if (_readers.Count < 16) _readers.Add(connection);
            else connection.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the writer inside its own savepoint and returns
    /// once the group it ran in is committed. An exception rolls back this work only.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, T> work)
    {
        var item = new WriteItem<T>(work);
        await _queue.Writer.WriteAsync(item).ConfigureAwait(false);
        return await item.Task.ConfigureAwait(false);
    }

    private async Task WriterLoop()
    {
        var group = new List<WriteItem>(MaxGroup);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < MaxGroup && reader.TryRead(out var next)) group.Add(next);
            RunGroup(group);
        }
    }

    private void RunGroup(List<WriteItem> group)
    {
        // A storage failure (disk full, I/O error, read-only) may end the transaction inside
        // SQLite: then every item of the group fails with it, and none is half applied.
        Exception? storageError = null;
        try
        {
            Execute(_writer, "BEGIN IMMEDIATE;");
            foreach (var item in group)
            {
                Execute(_writer, "SAVEPOINT item;");
                try
                {
                    item.Run(_writer);
                    Execute(_writer, "RELEASE item;");
                }
                catch (Exception e)
                {
                    item.Failed(e);
                    if (StorageFailure.Reason(e) is not null) storageError ??= e;
                    Execute(_writer, "ROLLBACK TO item; RELEASE item;");
                    RolledBack?.Invoke(_writer);
                }
            }
            Execute(_writer, "COMMIT;");
            Committed?.Invoke();
            if (storageError is null) _writeFailure = null;
            if (System.Threading.Interlocked.Add(ref _sinceCheckpoint, group.Count) >= CheckpointEvery) _checkpointDue.Writer.TryWrite(true);
            RestartLogIfLarge();
        }
        catch (Exception e)
        {
            try { Execute(_writer, "ROLLBACK;"); } catch (SqliteException) { /* no transaction left to roll back */ }
            if (StorageFailure.Reason(e) is not null) storageError ??= e;
            foreach (var item in group) item.Failed(storageError ?? e);
            try { RolledBack?.Invoke(_writer); } catch (SqliteException) { /* the rank index is read again after the next failure or restart */ }
        }
        if (storageError is not null) _writeFailure = StorageFailure.Reason(storageError);
        foreach (var item in group) item.Complete();
    }

    /// <summary>Under a steady load the writer appends while the passive checkpointer copies, so
    /// the log never starts over and grows without end (400 MB after 20,000 writes from 8
    /// clients). Past about 1,000 pages the writer itself, between two groups, checkpoints what
    /// the checkpointer left (RESTART: once readers leave the log), and its next commit starts
    /// the log over, cut back to that size (journal_size_limit).</summary>
    private void RestartLogIfLarge()
    {
        if (!WalIsOverLimit()) return;
        try
        {
            Execute(_writer, "PRAGMA wal_checkpoint(RESTART);");
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
            var wal = new FileInfo(FilePath + "-wal");
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
        using var connection = OpenReader();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private async Task CheckpointLoop()
    {
        using var connection = OpenReader();
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
            if (System.Threading.Interlocked.Exchange(ref _sinceCheckpoint, 0) == 0) continue;
            try
            {
                Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (SqliteException)
            {
                // Busy or locked: the next one catches up.
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in a nested savepoint: on an exception its changes
    /// are undone and the exception goes on, so the caller may still write (e.g. a refusal).</summary>
    public static T InSavepoint<T>(SqliteConnection connection, string name, Func<T> work)
    {
        Execute(connection, $"SAVEPOINT {name};");
        try
        {
            var result = work();
            Execute(connection, $"RELEASE {name};");
            return result;
        }
        catch
        {
            Execute(connection, $"ROLLBACK TO {name}; RELEASE {name};");
            throw;
        }
    }

    /// <summary>Runs a statement, prepared once per connection (the writer runs the same few
    /// savepoint statements for every request).</summary>
    internal static void Execute(SqliteConnection connection, string sql) => Statements.Execute(connection, sql);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        _checkpointDue.Writer.TryComplete();
        await _checkpointLoop.ConfigureAwait(false);
        _stopping.Cancel();
        _stopping.Dispose();
        while (_readers.TryTake(out var reader)) await reader.DisposeAsync().ConfigureAwait(false);
        try
        {
            Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
        catch (SqliteException e)
        {
            // A full disk must not turn a stop into a crash: the log stays beside the file,
            // every committed write in it, and the next start replays it.
            CloseFailure = $"the data file's last checkpoint failed ({StorageFailure.Reason(e) ?? e.Message.TrimEnd('.')}); its WAL stays beside it and the next start replays it";
        }
        finally
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            SqliteConnection.ClearAllPools();
        }
    }

    private abstract class WriteItem
    {
        public abstract void Run(SqliteConnection connection);
        public abstract void Failed(Exception error);
        public abstract void Complete();
    }

    private sealed class WriteItem<T>(Func<SqliteConnection, T> work) : WriteItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteConnection connection) => _result = work(connection);

        public override void Failed(Exception error) => _error ??= error;

        public override void Complete()
        {
            if (_error is null) _completion.TrySetResult(_result!);
            else _completion.TrySetException(_error);
        }
    }
}
