using System;
using System.IO;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The data file's ownership: one sandbox per file. The lock is an OS lock (flock on
/// Unix, a share-none handle on Windows) held on the data file itself for the life of the
/// process, so the kernel releases it however the process ends, SIGKILL included, and no
/// lock file is left behind. SQLite's own locks (fcntl) are independent of it.</summary>
public sealed class DataFile : IDisposable
{
    private readonly FileStream _lock;

    private DataFile(string path, FileStream handle, bool created)
    {
        Path = path;
        _lock = handle;
        Created = created;
    }

    public string Path { get; }

    /// <summary>True when this start created the file (so a failed start may remove it again).</summary>
    public bool Created { get; private set; }

    /// <summary>Creates the folder if missing, then opens and locks the file.</summary>
    /// <exception cref="StartupFailure">The path is unusable, or another sandbox holds it.</exception>
    public static DataFile Acquire(string dataPath)
    {
        var path = System.IO.Path.GetFullPath(dataPath);
        if (Directory.Exists(path))
            throw Unusable($"--data '{dataPath}' is a folder, not a file: give a file path such as {System.IO.Path.Combine(dataPath, "sandbox.db")}.");
        try
        {
            var folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable($"--data '{dataPath}': its folder cannot be created ({e.Message}). Give a path in a writable folder.");
        }

        var existed = File.Exists(path);
        try
        {
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataFile(path, handle, !existed);
        }
        catch (UnauthorizedAccessException)
        {
            throw Unusable($"--data '{dataPath}' cannot be opened for reading and writing (permission denied). Give a path in a writable folder.");
        }
        catch (IOException e) when (File.Exists(path) && !Directory.Exists(path) && IsSharingViolation(e))
        {
            throw new StartupFailure(ExitCodes.DataFileLocked,
                $"--data '{path}' is in use by another running sandbox. Stop that one, or give this one another --data file.");
        }
        catch (IOException e)
        {
            throw Unusable($"--data '{dataPath}' cannot be opened: {e.Message}");
        }
    }

    private static bool IsSharingViolation(IOException e) =>
        // EWOULDBLOCK (11 on Linux, 35 on macOS) from flock, or ERROR_SHARING_VIOLATION on Windows.
        (e.HResult & 0xFFFF) is 11 or 35 or 32 || e.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);

    /// <summary>--fresh: empties the file. A non-empty file that is not a sandbox data file is
    /// wiped only with <paramref name="force"/>, so a mistyped --data never destroys a stranger's data.</summary>
    public void Wipe(bool force)
    {
        if (_lock.Length > 0 && !force && Refusal(Path) is not null)
            throw Unusable($"--fresh refused: '{Path}' is not a sandbox data file. Give --force too to wipe it anyway, or another --data path.");
        // Truncate through the locked handle (deleting would drop the lock with the old inode).
        _lock.SetLength(0);
        _lock.Flush(true);
        foreach (var companion in new[] { Path + "-wal", Path + "-shm", Path + "-journal" }) File.Delete(companion);
        Created = true;
    }

    /// <summary>Without --fresh: a missing or empty file, or one this sandbox made. Anything
    /// else is refused before SQLite opens it for writing, so its bytes stay as they were.</summary>
    /// <exception cref="StartupFailure">Another application's file (exit 5).</exception>
    public void CheckOwned()
    {
        if (_lock.Length == 0) return;
        if (Refusal(Path) is { } refusal)
            throw Unusable($"--data '{Path}' {refusal}; it was left unchanged. Give another path, or --fresh --force to wipe it.");
    }

    /// <summary>Reads the file's tables without changing it (read-only, its own connection):
    /// null for a sandbox data file (its meta table with a schema version), else why not.</summary>
    private static string? Refusal(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
            var tables = new System.Collections.Generic.List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) tables.Add(reader.GetString(0));
            }
            if (tables.Contains("meta"))
            {
                command.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
                if (command.ExecuteScalar() is string) return null;
            }
            // An empty database (no tables yet) is as good as an empty file.
            if (tables.Count == 0) return null;
            return $"is another application's SQLite file, not a sandbox data file (its tables: {string.Join(", ", tables)})";
        }
        catch (SqliteException e)
        {
            return $"cannot be used as a SQLite data file ({e.Message.TrimEnd('.')})";
        }
    }

    /// <summary>After a failed start: removes the file again if this start created it.</summary>
    public void RemoveIfCreated()
    {
        if (Created) Delete(Path);
    }

    /// <summary>A SQLite file and its companions (-wal, -shm, -journal), best effort.</summary>
    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try { File.Delete(file); }
            catch (IOException) { /* best effort */ }
            catch (UnauthorizedAccessException) { }
        }
    }

    public void Dispose() => _lock.Dispose();

    private static StartupFailure Unusable(string message) => new(ExitCodes.DataPathUnusable, message);
}
