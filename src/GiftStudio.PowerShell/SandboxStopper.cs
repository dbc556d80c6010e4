using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GiftStudio.PowerShell;

/// <summary>Ends a sandbox process: a polite SIGTERM first (the server checkpoints its data
/// file and exits cleanly), then a kill when it has not exited within a few seconds.</summary>
internal static class SandboxStopper
{
    private const int PoliteWaitMs = 5000;

    /// <summary>False when no such process runs (it had exited already).</summary>
    public static bool Stop(int processId)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            return false;
        }
        using (process)
        {
            // Windows has no SIGTERM for a process without a console: there it is the kill.
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) _ = NativeMethods.kill(processId, NativeMethods.SIGTERM);
            if (!process.WaitForExit(PoliteWaitMs)) TryKill(process);
            process.WaitForExit(PoliteWaitMs);
        }
        return true;
    }

    public static void TryKill(Process process)
    {
        try { if (!process.HasExited) process.Kill(); }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }
}
