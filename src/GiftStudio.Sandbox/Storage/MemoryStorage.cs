using System;
using System.Globalization;
using System.IO;

namespace GiftStudio.Sandbox.Storage;

/// <summary>Where --storage memory keeps its data: a temporary SQLite file on a RAM-backed
/// folder (/dev/shm where there is one, else the temp folder), named after the process so that
/// files of processes that died without cleaning up (SIGKILL) are removed by the next start.
/// A file, not SQLite's shared in-memory database: that has no WAL and brings table locks
/// between the writer and the readers, so the code paths would differ from a durable sandbox.</summary>
public static class MemoryStorage
{
    private const string Prefix = "giftstudio-sandbox-memory-";

    public static string Folder { get; } =
        Directory.Exists("/dev/shm") && IsWritable("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    public static string NewPath()
    {
        RemoveStale();
        var path = Path.Combine(Folder, $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.db");
        // The folder is shared by every user: the file is the owner's alone (0600), made here, new,
        // before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        new FileStream(path, create).Dispose();
        return path;
    }

    /// <summary>The file and its WAL companions, at exit.</summary>
    public static void Remove(string path) => DataFile.Delete(path);

    /// <summary>Files left by sandboxes whose process is gone.</summary>
    private static void RemoveStale()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Folder, Prefix + "*.db"))
            {
                var name = Path.GetFileNameWithoutExtension(file).Substring(Prefix.Length);
                var dash = name.IndexOf('-');
                if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
                if (!Processes.IsRunning(pid)) Remove(file);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool IsWritable(string folder)
    {
        try
        {
            var probe = Path.Combine(folder, Prefix + "probe-" + Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
