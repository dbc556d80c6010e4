using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace GiftStudio.PowerShell;

/// <summary>The temporary folder of each sandbox (its log, key, ready file, and data file when
/// -DataPath was not given), and the removal of those whose processes are all gone.</summary>
internal static class SandboxFolders
{
    /// <summary>Every folder Start-SocialSandbox makes in the temp folder starts with this.</summary>
    public const string Prefix = "giftstudio-sandbox-";

    /// <summary>In each such folder: the ids of the processes it belongs to (the launching
    /// session, then the server). A folder none of whose processes runs is stale.</summary>
    public const string OwnersFile = "owners.pid";

    /// <summary>A new folder, readable by its owner only, owned by this process.</summary>
    public static string Create(int ownerPid)
    {
        var folder = CreatePrivate(Path.Combine(Path.GetTempPath(), Prefix + Guid.NewGuid().ToString("N").Substring(0, 12)));
        AddOwner(folder, ownerPid);
        return folder;
    }

    public static void AddOwner(string folder, int pid) =>
        File.AppendAllText(Path.Combine(folder, OwnersFile), pid.ToString(CultureInfo.InvariantCulture) + "\n");

    /// <summary>Removes the folders of earlier sandboxes whose processes are all gone (a
    /// session that was killed never ran Stop-SocialSandbox). Only folders with an owners
    /// file are touched, never a user's data file outside them.</summary>
    public static void RemoveStale(Action<string>? verbose)
    {
        string[] folders;
        try { folders = Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        foreach (var folder in folders)
        {
            int[] pids;
            try
            {
                var owners = Path.Combine(folder, OwnersFile);
                if (!File.Exists(owners)) continue;
                pids = File.ReadAllLines(owners).Select(l => int.TryParse(l.Trim(), out var pid) ? pid : 0).Where(pid => pid > 0).ToArray();
            }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (pids.Length == 0 || pids.Any(IsRunning)) continue;
            if (TryDelete(folder)) verbose?.Invoke($"Removed the stale sandbox folder {folder} (its processes {string.Join(", ", pids)} are gone).");
        }
    }

    /// <summary>Removes a folder and all in it; false when it could not.</summary>
    public static bool TryDelete(string folder)
    {
        // The server may still be closing its files for a moment after it exited.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                return true;
            }
            catch (IOException) { Thread.Sleep(50); }
            catch (UnauthorizedAccessException) { return false; }
        }
        return false;
    }

    public static void TryDeleteFile(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Creates the folder readable by its owner only (0700), in one step: the temp
    /// folder is shared by every user of the machine, and the folder holds a key. mkdir fails
    /// on an existing name, so nothing planted there in advance is ever used. (Windows' temp
    /// folder is per user already.)</summary>
    private static string CreatePrivate(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Directory.CreateDirectory(path).FullName;
        if (NativeMethods.mkdir(path, 0x1C0) != 0) // 0700
            throw new IOException($"Could not create the sandbox's folder {path} (errno {Marshal.GetLastWin32Error()}).");
        return path;
    }
}
