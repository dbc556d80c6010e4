using System.Runtime.InteropServices;

namespace GiftStudio.PowerShell;

/// <summary>The libc calls the sandbox launcher needs on Linux and macOS (never called on Windows).</summary>
internal static class NativeMethods
{
    public const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    public static extern int chmod(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    public static extern int mkdir(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int signal);
}
