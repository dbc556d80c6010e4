using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell;

/// <summary>A server process out of reach of this terminal's Ctrl+C, its output drained into
/// its log (or it would block on a full pipe), its standard error also kept for the message
/// of a failed start.</summary>
internal sealed class DetachedProcess
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new StringBuilder();
    private readonly TaskCompletionSource<bool> _exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    private DetachedProcess(Process process) => _process = process;

    /// <summary>Starts <paramref name="program"/> with its arguments (already quoted) in a
    /// session of its own, its standard input closed.</summary>
    /// <exception cref="SandboxException">The program could not be run (DotnetNotFound).</exception>
    public static DetachedProcess Start(string program, string arguments, string logPath, Action<string>? verbose)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,   // never the terminal's input
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // On Windows this is CREATE_NO_WINDOW: the server has no console, so the
            // console's Ctrl+C events (sent to every process attached to it) never reach it.
            CreateNoWindow = true,
        };
        Detach(start, program, arguments, verbose);
        var detached = new DetachedProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        detached.Run(logPath);
        return detached;
    }

    public int Id => _process.Id;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Waits for the end of its output too, so the last standard error lines are in.</summary>
    public void WaitForExit() => _process.WaitForExit();

    public int? ExitCode => _process.HasExited ? _process.ExitCode : (int?)null;

    /// <summary>What it wrote to standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors) return _errors.ToString().Trim();
        }
    }

    public void Kill() => SandboxStopper.TryKill(_process);

    private void Run(string logPath)
    {
        var log = new LineLog(logPath);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null) log.Write(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            log.Write(e.Data);
            lock (_errors) _errors.AppendLine(e.Data);
        };
        _process.Exited += (_, __) =>
        {
            _exited.TrySetResult(true);
            log.Close();
        };
        try
        {
            _process.Start();
        }
        catch (Exception e)
        {
            log.Close();
            throw new SandboxException(ErrorIds.DotnetNotFound, $"Could not run '{_process.StartInfo.FileName}': {e.Message}. Install the ASP.NET Core Runtime 10 from https://dot.net.");
        }
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs the program in a session of its own, away from the terminal's foreground
    /// process group, so the SIGINT of Ctrl+C meant for a command never reaches it (the server
    /// itself still stops on SIGINT when someone runs it in a terminal directly). setsid(1)
    /// when there is one (Linux); else perl's POSIX::setsid (macOS ships perl, not setsid).
    /// Both exec the program in place, so the process id is the program's.</summary>
    private static void Detach(ProcessStartInfo start, string program, string arguments, Action<string>? verbose)
    {
        start.FileName = program;
        start.Arguments = arguments;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        var setsid = FindOnPath("setsid");
        if (setsid != null)
        {
            start.FileName = setsid;
            start.Arguments = Quote(program) + " " + arguments;
            return;
        }
        var perl = FindOnPath("perl");
        if (perl != null)
        {
            start.FileName = perl;
            start.Arguments = "-e \"use POSIX (); POSIX::setsid(); exec {$ARGV[0]} @ARGV or die $!\" " + Quote(program) + " " + arguments;
            return;
        }
        verbose?.Invoke("Neither setsid nor perl was found: the sandbox shares this terminal's process group, so Ctrl+C at the prompt stops it too.");
    }

    /// <summary>The first file of that name in a folder of PATH.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(p => p.Length > 0)
            .Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);

    /// <summary>One argument for ProcessStartInfo.Arguments (netstandard2.0 has no ArgumentList).</summary>
    public static string Quote(string argument) => "\"" + argument.Replace("\"", "\\\"") + "\"";
}
