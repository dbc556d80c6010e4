using System;
using System.Collections.Generic;
using System.IO;
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
    /// <summary>FULL (stated in the README): in WAL mode it fsyncs the log at every commit, so a
    /// write that was answered 2xx survives a crash of the process and a power loss. OFF
    /// (--storage memory): the file is temporary anyway.</summary>
    public string Synchronous { get; }

    private const int MaxGroup = 256;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    // The writer is whichever thread holds _writerBusy. The profile (bench/ANALYSIS.md, issue
    // #26): a hop to a writer thread and back, with thread-pool workers spinning between, was
    // the largest cost of a lone in-memory request. There the request that finds the writer
    // free runs its own group on its own thread; writes queued meanwhile are run by a
    // thread-pool thread that keeps the writer until the queue is empty. A durable commit waits
    // for its fsync: the hop is small beside it, and a request's thread blocked in fsync made
    // 8 connections slower, so there every group runs on that thread-pool thread.
    private readonly System.Collections.Concurrent.ConcurrentQueue<WriteItem> _pending = new();
    private readonly List<WriteItem> _group = new(MaxGroup);
    private readonly object _closing = new();
    private bool _closed;
    private int _writerBusy;
    private readonly bool _durable;
    private readonly WalCheckpointer _checkpoints;

    private volatile string? _writeFailure;

    public Database(string path, bool durable = true)
    {
        Synchronous = durable ? "FULL" : "OFF";
        _durable = durable;
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
        var walLimitBytes = WalCheckpointer.WalPages * PageSize(_writer);
        // When a checkpoint lets the log start over, the file is cut back to this size.
        Execute(_writer, $"PRAGMA journal_size_limit={walLimitBytes};");
        Schema.Apply(_writer);
        _checkpoints = new WalCheckpointer(OpenReader, FilePath, walLimitBytes);
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
    /// largest request body (<see cref="RequestValidation.MaxBodyBytes"/>, then deleted in the
    /// same transaction), which clears the failure when the file takes it again.</summary>
    public async Task<string?> ProbeWriteAsync()
    {
        try
        {
            await WriteAsync(c =>
            {
                using var command = c.CreateCommand();
                command.CommandText = $"INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', zeroblob({RequestValidation.MaxBodyBytes})); DELETE FROM meta WHERE key = 'write_probe';";
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

    /// <summary>Runs a read now, on the calling thread, on a kept-open reader connection, so its
    /// prepared statements are reused from request to request.</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        if (!_readers.TryTake(out var connection)) connection = OpenReader();
        try
        {
            return read(connection);
        }
        finally
        {
            if (_readers.Count < 16) _readers.Add(connection);
            else connection.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the writer inside its own savepoint and returns
    /// once the group it ran in is committed. An exception rolls back this work only.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> work)
    {
        var item = new WriteItem<T>(work);
        lock (_closing)
        {
            if (_closed) throw new ObjectDisposedException(nameof(Database), "The data file is closed.");
            _pending.Enqueue(item);
        }
        if (TryTakeWriter())
        {
            if (_durable) QueueRun();
            else RunQueued(onRequestThread: true);
        }
        return item.Task;
    }

    private void QueueRun() =>
        System.Threading.ThreadPool.UnsafeQueueUserWorkItem(static database => database.RunQueued(onRequestThread: false), this, preferLocal: false);

    private bool TryTakeWriter() => System.Threading.Interlocked.CompareExchange(ref _writerBusy, 1, 0) == 0;

    /// <summary>Runs groups while writes are queued. On a request's thread one group only, so its
    /// own answer is not held up by later writes: the rest goes on on a thread-pool thread.</summary>
    private void RunQueued(bool onRequestThread)
    {
        while (true)
        {
            RunNextGroup();
            if (_pending.IsEmpty)
            {
                System.Threading.Volatile.Write(ref _writerBusy, 0);
                // A write queued just before the release found the writer busy: take it back.
                if (_pending.IsEmpty || !TryTakeWriter()) return;
            }
            if (onRequestThread)
            {
                QueueRun();
                return;
            }
        }
    }

    private void RunNextGroup()
    {
        _group.Clear();
        while (_group.Count < MaxGroup && _pending.TryDequeue(out var next)) _group.Add(next);
        if (_group.Count > 0) RunGroup(_group);
    }

    private void RunGroup(List<WriteItem> group)
    {
        // A storage failure (disk full, I/O error, read-only) may end the transaction inside
        // SQLite: then every item of the group fails with it, and none is half applied.
        Exception? storageError = null;
        try
        {
            Execute(_writer, "BEGIN IMMEDIATE;");
            // A group of one needs no savepoint: when it fails, the transaction's rollback
            // (below) is its own, and a lone request runs two statements fewer.
            if (group.Count == 1) group[0].Run(_writer);
            else RunEachInSavepoint(group, ref storageError);
            Execute(_writer, "COMMIT;");
            Committed?.Invoke();
            if (storageError is null) _writeFailure = null;
            _checkpoints.Committed(group.Count);
            _checkpoints.RestartLogIfLarge(_writer);
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

    private void RunEachInSavepoint(List<WriteItem> group, ref Exception? storageError)
    {
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
    }

    /// <summary>Copies the whole log back into the data file at once (see <see cref="WalCheckpointer.CheckpointNow"/>).</summary>
    public void CheckpointNow() => _checkpoints.CheckpointNow();

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
        lock (_closing) _closed = true;
        // The writer's last group ends; then whatever is still queued runs here.
        while (!TryTakeWriter()) await Task.Delay(1).ConfigureAwait(false);
        while (!_pending.IsEmpty) RunNextGroup();
        await _checkpoints.StopAsync().ConfigureAwait(false);
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
}
