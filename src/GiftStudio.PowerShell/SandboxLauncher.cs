using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell;

/// <summary>Starts the sandbox shipped in the module folder (sandbox/GiftStudio.Sandbox.dll)
/// on a free loopback port, tied to this process (--parent-pid) but not to its terminal:
/// it runs in a session of its own, so Ctrl+C at the prompt never reaches it. The key is
/// handed over in a file, never on the command line: the data file's own key, kept beside
/// it (DATA.key, owner-only) so that the file reopens with its data, or the caller's
/// -ApiKey in a transient file that is deleted once the server has read it.</summary>
internal static class SandboxLauncher
{
    private static readonly ConcurrentDictionary<int, SocialSandbox> Started = new ConcurrentDictionary<int, SocialSandbox>();

    /// <summary>Every folder Start-SocialSandbox makes in the temp folder starts with this.</summary>
    internal const string FolderPrefix = "giftstudio-sandbox-";

    /// <summary>In each such folder: the ids of the processes it belongs to (the launching
    /// session, then the server). A folder none of whose processes runs is stale.</summary>
    internal const string OwnersFile = "owners.pid";

    public sealed class Settings
    {
        public int Port { get; set; }
        public string? DataPath { get; set; }
        /// <summary>The key to serve instead of the data file's own one.</summary>
        public SecureString? ApiKey { get; set; }
        public DateTime? Now { get; set; }
        public string? Seed { get; set; }
        public double? RateLimit { get; set; }
        public string? Faults { get; set; }
        /// <summary>--storage memory: no data file; everything is gone when the server ends.</summary>
        public bool InMemory { get; set; }
        /// <summary>--fresh: start from an empty data file (a sandbox's own file only, unless Force).</summary>
        public bool Fresh { get; set; }
        /// <summary>--force with --fresh: wipe a file the sandbox did not create.</summary>
        public bool Force { get; set; }
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>Called on the calling thread for what the user should know (a data file
        /// without its key file, stale folders removed).</summary>
        public Action<string>? Warn { get; set; }
        public Action<string>? Verbose { get; set; }
    }

    public static SocialSandbox Start(Settings settings, CancellationToken cancellationToken)
    {
        var chosenKey = settings.ApiKey == null ? null : PlainText(settings.ApiKey);
        if (chosenKey != null && !IsServableKey(chosenKey))
            throw new SocialOsInputException("InvalidApiKey", "ApiKey", null, ServableKeyRule);
        var moduleDirectory = Path.GetDirectoryName(typeof(SandboxLauncher).Assembly.Location)!;
        var serverDll = Path.Combine(moduleDirectory, "sandbox", "GiftStudio.Sandbox.dll");
        if (!File.Exists(serverDll))
            throw new SandboxException("SandboxNotFound", $"The sandbox server is missing from the module folder ({serverDll}). Reinstall GiftStudio.");
        var dotnet = FindDotnet()
            ?? throw new SandboxException("DotnetNotFound",
                "The sandbox needs the .NET 10 runtime with ASP.NET Core, and no 'dotnet' was found (PATH, DOTNET_ROOT). Install the ASP.NET Core Runtime 10 from https://dot.net and try again.");

        RemoveStaleFolders(settings.Verbose);
        var work = CreatePrivateFolder(Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N").Substring(0, 12)));
        var owners = Path.Combine(work, OwnersFile);
        File.WriteAllText(owners, CurrentProcessId + "\n");
        var dataPath = settings.DataPath != null ? Path.GetFullPath(settings.DataPath) : Path.Combine(work, "sandbox.db");
        var logPath = Path.Combine(work, "sandbox.log");
        // Written by the server once it listens, after every start line and warning: the launcher
        // reads the port and the warnings there, never from console lines.
        var readyPath = Path.Combine(work, "ready.json");

        string keyText, keyFile;
        string? keptKeyPath = null;
        var keyFileMadeHere = false;
        if (chosenKey != null)
        {
            keyText = chosenKey;
            keyFile = Path.Combine(work, "api-key.txt");
            WriteKeyFile(keyFile, keyText, "the key given to Start-SocialSandbox -ApiKey; deleted once the server has read it");
        }
        else
        {
            keptKeyPath = keyFile = KeyPathFor(dataPath);
            keyFileMadeHere = !File.Exists(keyFile);
            keyText = ReadOrCreateKey(keyFile, dataPath, settings.Warn);
        }

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
        var arguments = new[]
        {
            Quote(serverDll), "--urls", $"http://127.0.0.1:{settings.Port}", "--api-key-file", Quote(keyFile),
            "--parent-pid", CurrentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ready-file", Quote(readyPath),
        }
        // In memory, the key still lives in the work folder (dataPath is only where it sits).
        .Concat(settings.InMemory ? new[] { "--storage", "memory" } : new[] { "--data", Quote(dataPath) })
        .Concat(settings.Now is DateTime now ? new[] { "--now", SocialOsClient.FormatInstant(now) } : Array.Empty<string>())
        .Concat(settings.Seed != null ? new[] { "--seed", settings.Seed } : Array.Empty<string>())
        .Concat(settings.Faults != null ? new[] { "--faults", Quote(settings.Faults) } : Array.Empty<string>())
        .Concat(settings.RateLimit is double rate ? new[] { "--rate-limit", rate.ToString(System.Globalization.CultureInfo.InvariantCulture) } : Array.Empty<string>())
        .Concat(settings.Fresh ? new[] { "--fresh" } : Array.Empty<string>())
        .Concat(settings.Fresh && settings.Force ? new[] { "--force" } : Array.Empty<string>());
        Detach(start, dotnet, string.Join(" ", arguments), settings.Verbose);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var errors = new StringBuilder();
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new LineLog(logPath);
        // Keep draining the server's output into its log, or it would block on a full pipe.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null) log.Write(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            log.Write(e.Data);
            lock (errors) errors.AppendLine(e.Data);
        };
        process.Exited += (_, __) =>
        {
            exited.TrySetResult(true);
            log.Close();
        };
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            TryDeleteDirectory(work);
            throw new SandboxException("DotnetNotFound", $"Could not run '{start.FileName}': {e.Message}. Install the ASP.NET Core Runtime 10 from https://dot.net.");
        }
        process.StandardInput.Close();
        File.AppendAllText(owners, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var ready = WaitForReadyFile(readyPath, process, exited.Task, errors, settings.StartTimeout, logPath, cancellationToken);
            var url = ready.BaseUri.TrimEnd('/');
            WaitForHealth(url, settings.StartTimeout, cancellationToken);
            foreach (var warning in ready.Warnings) settings.Warn?.Invoke(warning);
            if (ready.DataSummary != null) settings.Verbose?.Invoke("Sandbox " + ready.DataSummary);
            var key = new SecureString();
            foreach (var c in keyText) key.AppendChar(c);
            key.MakeReadOnly();
            var sandbox = new SocialSandbox(new Uri(url + "/v2"), key, process.Id, settings.InMemory ? null : dataPath, logPath, settings.InMemory ? null : keptKeyPath, work);
            Started[process.Id] = sandbox;
            return sandbox;
        }
        catch
        {
            TryKill(process);
            // A failed start leaves no file it made: a key file written for this start goes too.
            if (keyFileMadeHere) TryDelete(keyFile);
            throw;
        }
        finally
        {
            // A key given with -ApiKey was read at startup: its file is not needed any more.
            if (keptKeyPath == null) TryDelete(keyFile);
        }
    }

    /// <summary>What a key must be for the sandbox to serve it from a key file: one line of 1
    /// to 512 printable ASCII characters without spaces (the sandbox's own check), not starting
    /// with '#' (the key file's comment mark). Checked before starting, so a key the sandbox
    /// would refuse is an InvalidApiKey here; a test checks that both sides agree.</summary>
    internal static bool IsServableKey(string key) =>
        key.Length >= 1 && key.Length <= 512 && key[0] != '#' && key.All(c => c >= 0x21 && c <= 0x7E);

    internal const string ServableKeyRule =
        "-ApiKey is not a key the sandbox can serve: give 1 to 512 printable ASCII characters without spaces that do not start with '#'.";

    /// <summary>Where a data file keeps its key: beside it, as DATA.key.</summary>
    internal static string KeyPathFor(string dataPath) => dataPath + ".key";

    /// <summary>The key kept beside the data file, or a new one written there (owner-only).
    /// A data file that exists without its key file was written with another key: a new key
    /// is a new, empty tenant, and the user is told so.</summary>
    private static string ReadOrCreateKey(string keyFile, string dataPath, Action<string>? warn)
    {
        if (File.Exists(keyFile))
        {
            RestrictToOwner(keyFile);
            var kept = File.ReadAllLines(keyFile).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal))
                ?? throw new SandboxException("SandboxStartFailed",
                    $"The key file {keyFile} holds no key. Pass -ApiKey with the key that wrote {dataPath}, or delete the key file to make a new key (which does not see the data of the old one).");
            return kept;
        }
        if (File.Exists(dataPath))
            warn?.Invoke($"{dataPath} has no key file beside it ({Path.GetFileName(keyFile)}), so a new key was made for it: its new tenant is empty, and data written with another key is not visible. To reach that data, pass -ApiKey with the key that wrote it.");
        // Random from the first character: no fixed prefix that a partial leak could hide behind.
        // The sandbox generates the same form when run without a key (a test checks that they agree).
        var generated = Convert.ToBase64String(RandomBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        WriteKeyFile(keyFile, generated, $"the API key of the GiftStudio sandbox data file {Path.GetFileName(dataPath)}; keep it private, and beside its data file");
        return generated;
    }

    /// <summary>Writes a key file that only the owner can read: made empty, restricted, then filled.</summary>
    private static void WriteKeyFile(string path, string key, string comment)
    {
        using (new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None)) { }
        RestrictToOwner(path);
        File.WriteAllText(path, "# " + comment + "\n" + key + "\n");
    }

    /// <summary>Runs the server in a session of its own, away from the terminal's foreground
    /// process group, so the SIGINT of Ctrl+C meant for a command never reaches it (the server
    /// itself still stops on SIGINT when someone runs it in a terminal directly). setsid(1)
    /// when there is one (Linux); else perl's POSIX::setsid (macOS ships perl, not setsid).
    /// Both exec the server in place, so the process id is the server's. It still ends with
    /// this session through --parent-pid.</summary>
    private static void Detach(ProcessStartInfo start, string dotnet, string arguments, Action<string>? verbose)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            start.FileName = dotnet;
            start.Arguments = arguments;
            return;
        }
        var setsid = FindOnPath("setsid");
        if (setsid != null)
        {
            start.FileName = setsid;
            start.Arguments = Quote(dotnet) + " " + arguments;
            return;
        }
        var perl = FindOnPath("perl");
        if (perl != null)
        {
            start.FileName = perl;
            start.Arguments = "-e \"use POSIX (); POSIX::setsid(); exec {$ARGV[0]} @ARGV or die $!\" " + Quote(dotnet) + " " + arguments;
            return;
        }
        verbose?.Invoke("Neither setsid nor perl was found: the sandbox shares this terminal's process group, so Ctrl+C at the prompt stops it too.");
        start.FileName = dotnet;
        start.Arguments = arguments;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(p => p.Length > 0)
            .Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);

    /// <summary>Removes the folders of earlier sandboxes whose processes are all gone (a
    /// session that was killed never ran Stop-SocialSandbox). Only folders with an owners
    /// file are touched, never a user's data file outside them.</summary>
    internal static void RemoveStaleFolders(Action<string>? verbose)
    {
        string[] folders;
        try { folders = Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"); }
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
            if (TryDeleteDirectory(folder)) verbose?.Invoke($"Removed the stale sandbox folder {folder} (its processes {string.Join(", ", pids)} are gone).");
        }
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

    private static int CurrentProcessId
    {
        get
        {
            using var current = Process.GetCurrentProcess();
            return current.Id;
        }
    }

    private static string PlainText(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try { return Marshal.PtrToStringUni(pointer) ?? ""; }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
    }

    /// <summary>Stops a sandbox: a polite SIGTERM first (clean checkpoint), then a kill.</summary>
    public static bool Stop(int processId, bool keepData)
    {
        if (Started.TryRemove(processId, out var sandbox)) StoppedHere[processId] = true;
        Process process;
        try
        {
            process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            RemoveOwned(sandbox, keepData);
            return false;
        }
        using (process)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) _ = SendTerminate(processId);
            if (!process.WaitForExit(5000)) TryKill(process);
            process.WaitForExit(5000);
        }
        RemoveOwned(sandbox, keepData);
        return true;
    }

    public static bool IsStartedHere(int processId) => Started.ContainsKey(processId);

    /// <summary>Sandboxes of this session that Stop already stopped (a second stop is no error).</summary>
    private static readonly ConcurrentDictionary<int, bool> StoppedHere = new ConcurrentDictionary<int, bool>();

    public static bool WasStoppedHere(int processId) => StoppedHere.ContainsKey(processId);

    /// <summary>Removes the folder Start made (its log, and the data file only when Start
    /// made that too); a user's -DataPath file and its key file live elsewhere and stay.</summary>
    private static void RemoveOwned(SocialSandbox? sandbox, bool keepData)
    {
        if (keepData || sandbox == null) return;
        TryDeleteDirectory(sandbox.WorkDirectory);
    }

    private static bool TryDeleteDirectory(string path)
    {
        // The server may still be closing its files for a moment after it exited.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                return true;
            }
            catch (IOException) { Thread.Sleep(50); }
            catch (UnauthorizedAccessException) { return false; }
        }
        return false;
    }

    /// <summary>What the server's ready file says (--ready-file).</summary>
    internal sealed class ReadyFile
    {
        public ReadyFile(string baseUri, string? dataSummary, string[] warnings)
        {
            BaseUri = baseUri;
            DataSummary = dataSummary;
            Warnings = warnings;
        }

        public string BaseUri { get; }
        public string? DataSummary { get; }
        public string[] Warnings { get; }

        public static ReadyFile Parse(string json)
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var root = document.RootElement;
            var summary = root.TryGetProperty("data", out var data) && data.TryGetProperty("summary", out var text) ? text.GetString() : null;
            var warnings = root.TryGetProperty("warnings", out var list) ? list.EnumerateArray().Select(w => w.GetString() ?? "").ToArray() : new string[0];
            return new ReadyFile(root.GetProperty("base_uri").GetString() ?? "", summary, warnings);
        }
    }

    /// <summary>Waits for the server's ready file (written aside and renamed, so whole once it
    /// exists); a server that exits first failed to start, with its own one-line reason.</summary>
    private static ReadyFile WaitForReadyFile(string path, Process process, Task exited, StringBuilder errors, TimeSpan timeout, string logPath, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (exited.IsCompleted)
            {
                // Its last stderr lines may still be on their way: wait for the stream's end.
                process.WaitForExit();
                throw new SandboxException("SandboxStartFailed", StartFailure(process, errors));
            }
            if (DateTime.UtcNow > deadline)
                throw new SandboxException("SandboxStartFailed", $"The sandbox did not report that it listens within {timeout.TotalSeconds:0} s; see {logPath}.");
            Task.WaitAny(new[] { exited }, 50, cancellationToken);
        }
        return ReadyFile.Parse(File.ReadAllText(path));
    }

    private static void WaitForHealth(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var response = http.GetAsync(url + "/health", cancellationToken).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (DateTime.UtcNow > deadline) throw new SandboxException("SandboxStartFailed", $"The sandbox at {url} did not become healthy within {timeout.TotalSeconds:0} s.");
            Thread.Sleep(100);
        }
    }

    private static string StartFailure(Process process, StringBuilder errors)
    {
        string stderr;
        lock (errors) stderr = errors.ToString().Trim();
        var code = process.HasExited ? process.ExitCode : -1;
        if (stderr.IndexOf("Microsoft.AspNetCore.App", StringComparison.Ordinal) >= 0 || stderr.IndexOf("install or update .NET", StringComparison.OrdinalIgnoreCase) >= 0)
            return $"The sandbox needs the ASP.NET Core Runtime 10, which this machine lacks. Install it from https://dot.net (or 'dotnet-install --runtime aspnetcore --channel 10.0'). The runtime said: {stderr}";
        return $"The sandbox exited during startup (exit code {code}): {(stderr.Length > 0 ? stderr : "no message")}";
    }

    /// <summary>dotnet itself when this pwsh runs on it (dotnet pwsh), else DOTNET_HOST_PATH, DOTNET_ROOT or PATH.</summary>
    private static string? FindDotnet()
    {
        var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        using var self = Process.GetCurrentProcess();
        var current = self.MainModule?.FileName;
        if (current != null && Path.GetFileName(current).Equals(exe, StringComparison.OrdinalIgnoreCase)) return current;
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is string root ? Path.Combine(root, exe) : null,
        }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(p => p.Length > 0).Select(p => Path.Combine(p, exe)));
        return candidates.FirstOrDefault(p => p != null && File.Exists(p));
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
        return bytes;
    }

    private static string Quote(string argument) => "\"" + argument.Replace("\"", "\\\"") + "\"";

    /// <summary>Creates the folder readable by its owner only (0700), in one step: the temp
    /// folder is shared by every user of the machine, and the folder holds a key. mkdir fails
    /// on an existing name, so nothing planted there in advance is ever used. (Windows' temp
    /// folder is per user already.)</summary>
    private static string CreatePrivateFolder(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Directory.CreateDirectory(path).FullName;
        if (mkdir(path, 0x1C0) != 0) // 0700
            throw new IOException($"Could not create the sandbox's folder {path} (errno {Marshal.GetLastWin32Error()}).");
        return path;
    }

    private static void RestrictToOwner(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        _ = chmod(path, 0x180); // 0600
    }

    private static bool SendTerminate(int pid) => kill(pid, 15) == 0;

    private static void TryKill(Process process)
    {
        try { if (!process.HasExited) process.Kill(); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chmod(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkdir(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

/// <summary>The server's output, appended to its log file; writes after Close are dropped
/// (output events can arrive after the process has exited).</summary>
internal sealed class LineLog
{
    private readonly StreamWriter _writer;
    private bool _closed;

    public LineLog(string path) =>
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

    public void Write(string line)
    {
        lock (_writer)
        {
            if (!_closed) _writer.WriteLine(line);
        }
    }

    public void Close()
    {
        lock (_writer)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}

/// <summary>The sandbox could not be started (runtime missing, startup failed).</summary>
[Serializable]
public sealed class SandboxException : Exception
{
    public SandboxException(string errorId, string message) : base(message) => ErrorId = errorId;

    public string ErrorId { get; }
}
