using System;
using System.Diagnostics;

namespace GiftStudio.Sandbox;

public static class Processes
{
    /// <summary>Whether a process with this id is running (--parent-pid, and the files of
    /// --storage memory left by a sandbox that was killed).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
