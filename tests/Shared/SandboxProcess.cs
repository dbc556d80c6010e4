using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Testing;

// The one way the xUnit projects start the sandbox as a child process: this file is linked into
// GiftStudio.Sandbox.Tests and GiftStudio.Core.Tests (each csproj has a global using of
// GiftStudio.Testing), and both run the GiftStudio.Sandbox.dll their project reference copies
// into the output folder. The PowerShell module's own launcher (SandboxLauncher) is the
// product's way; the Pester tests use that one through Start-SocialSandbox.

/// <summary>How to start one sandbox. Defaults: keys K1 and K2, loopback on a free port, data in
/// memory, and --parent-pid of the test process so a server never outlives a crashed test run.</summary>
public sealed record SandboxStart
{
    public IReadOnlyList<string> Keys { get; init; } = new[] { "K1", "K2" };
    public string? Now { get; init; }
    public string? RateLimit { get; init; }

    /// <summary>null: --storage memory (durability is not what the test is about). Given: the
    /// caller owns the file (e.g. to restart on it) and deletes it with <see cref="TempData"/>.</summary>
    public string? DataPath { get; init; }

    /// <summary>null: no --parent-pid at all.</summary>
    public int? ParentPid { get; init; } = System.Environment.ProcessId;

    public IReadOnlyList<string> ExtraArgs { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The sandbox's own switches for this start: the same for a child process and for an
    /// in-process sandbox (which has no --urls or --parent-pid).</summary>
    public List<string> SandboxArguments()
    {
        var args = new List<string>();
        foreach (var key in Keys) args.AddRange(new[] { "--api-key", key });
        // Without a file of the test's own, durability is not what is tested: in memory.
        args.AddRange(DataPath is null ? new[] { "--storage", "memory" } : new[] { "--data", DataPath });
        if (Now is not null) args.AddRange(new[] { "--now", Now });
        if (RateLimit is not null) args.AddRange(new[] { "--rate-limit", RateLimit });
        args.AddRange(ExtraArgs);
        return args;
    }
}

/// <summary>POSIX signals for the process tests (Linux and macOS).</summary>
public static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}

/// <summary>A temporary SQLite data file and its -wal/-shm companions, deleted on dispose.</summary>
public sealed class TempData : IDisposable
{
    /// <summary>This test process's private temporary folder (see <see cref="TestFolders"/>).</summary>
    public static string Folder => TestFolders.Temp;

    public TempData(string suffix = ".db")
    {
        Path = System.IO.Path.Combine(Folder, Guid.NewGuid().ToString("N") + suffix);
    }

    public string Path { get; }

    public void Dispose() => Delete(Path);

    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try { File.Delete(file); }
            catch (IOException) { /* best effort: a temp file */ }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>The real sandbox as a child process: `dotnet GiftStudio.Sandbox.dll ...` from this
/// test's output folder, always with a --ready-file of its own. Reads the port, base URI and
/// start-up warnings from that file (written once the sandbox listens, after every start line),
/// never from the console, waits for /health, hands out one HttpClient per API key, captures
/// stdout/stderr, and kills + waits + cleans up on dispose.</summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    /// <summary>The one limit on how long a test waits for a sandbox process to reach a state
    /// (started, a line written, an answer, exited). Generous on purpose: at a load average of 50
    /// on 2 cores a .NET start took over 30 s here. It only ends a hang: a test that passes never
    /// waits it out.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<JsonElement> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly string? _ownedDataPath;
    private int _disposed;

    private SandboxProcess(IReadOnlyList<string> args, string? ownedDataPath, IReadOnlyDictionary<string, string>? environment)
    {
        Directory.CreateDirectory(TempData.Folder);
        // The test's own --ready-file when it gives one, else one of ours.
        var given = args.ToList().IndexOf("--ready-file");
        ReadyFile = given >= 0 && given + 1 < args.Count ? args[given + 1] : Path.Combine(TempData.Folder, Guid.NewGuid().ToString("N") + ".ready.json");
        Arguments = given >= 0 ? args : args.Concat(new[] { "--ready-file", ReadyFile }).ToList();
        _ownedDataPath = ownedDataPath;
        var info = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = Directory.CreateDirectory(TempData.Folder).FullName,
        };
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in Arguments) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (name, value) in environment) info.Environment[name] = value;
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdoutClosed.TrySetResult();
                return;
            }
            _stdout.Enqueue(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) _stderrClosed.TrySetResult();
            else _stderr.Enqueue(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Pid = _process.Id;
    }

    /// <summary>The dotnet host that runs this test (dotnet test sets DOTNET_HOST_PATH).</summary>
    public static string DotnetHost =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "GiftStudio.Sandbox.dll");

    public IReadOnlyList<string> Arguments { get; }
    public int Pid { get; }

    /// <summary>Where the sandbox writes its ready file (--ready-file).</summary>
    public string ReadyFile { get; }

    /// <summary>The ready file's object: port, base_uri, version, data, warnings.</summary>
    public JsonElement Ready => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : throw new InvalidOperationException("The sandbox is not listening.");

    public Uri BaseAddress => new(Ready.GetProperty("base_uri").GetString()!);

    /// <summary>Every start-up warning, from the ready file.</summary>
    public IReadOnlyList<string> Warnings => Ready.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();

    /// <summary>The API root, e.g. http://127.0.0.1:41234/v2: written without a trailing slash,
    /// as users write it, so the client's tests meet that form.</summary>
    public Uri ApiUri => new(BaseAddress, "/v2");
    public IReadOnlyList<string> StdoutLines => _stdout.ToArray();
    public IReadOnlyList<string> StderrLines => _stderr.ToArray();
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the process with exactly these arguments and does not wait for anything.</summary>
    public static SandboxProcess Launch(IEnumerable<string> args, string? ownedDataPath = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(args.ToList(), ownedDataPath, environment);

    /// <summary>Starts a sandbox and returns once GET /health answers 200.</summary>
    public static async Task<SandboxProcess> StartAsync(SandboxStart? start = null)
    {
        start ??= new SandboxStart();
        var args = new List<string> { "--urls", "http://127.0.0.1:0" };
        args.AddRange(start.SandboxArguments());
        if (start.ParentPid is { } parent) args.AddRange(new[] { "--parent-pid", parent.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var process = Launch(args, environment: start.Environment);
        try
        {
            await process.WaitUntilReadyAsync();
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the ready file, then for GET /health to answer 200.</summary>
    public async Task WaitUntilReadyAsync()
    {
        var waited = Stopwatch.StartNew();
        while (!File.Exists(ReadyFile))
        {
            if (_process.HasExited && _stdoutClosed.Task.IsCompleted)
                throw new InvalidOperationException($"The sandbox exited before writing its ready file. {Describe()}");
            if (waited.Elapsed > Patience)
                throw new TimeoutException($"The sandbox wrote no ready file within {Patience}. {Describe()}");
            await Task.Delay(20);
        }
        // Written aside and renamed: whole once it exists.
        using (var document = JsonDocument.Parse(await File.ReadAllTextAsync(ReadyFile)))
            _ready.TrySetResult(document.RootElement.Clone());
        var uri = BaseAddress;
        Assert.Equal("127.0.0.1", uri.Host);
        // One limit for the whole wait, none per probe: on a loaded machine the first /health can
        // take longer than any short per-request timeout (a 5 s one failed starts under load).
        using var overall = new CancellationTokenSource(Patience);
        using var probe = new HttpClient { BaseAddress = uri, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync("/health", overall.Token);
                    if (response.StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { }
                if (_process.HasExited) throw new InvalidOperationException($"The sandbox exited while starting. {Describe()}");
                await Task.Delay(50, overall.Token);
            }
        }
        catch (OperationCanceledException) when (overall.IsCancellationRequested)
        {
            throw new TimeoutException($"GET /health did not answer 200 within {Patience}. {Describe()}");
        }
    }

    /// <summary>A client that sends `Authorization: Bearer key` (null: no Authorization header).
    /// One per key, kept for the life of the process.</summary>
    public HttpClient Client(string? key) => _clients.GetOrAdd(key ?? "", NewClient);

    /// <summary>A client of its own (own connections), not shared; the caller disposes it. For
    /// requests that may leave their connection unusable, e.g. oversized bodies.</summary>
    public HttpClient NewClient(string? key)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = Patience,
        };
        if (!string.IsNullOrEmpty(key)) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Anonymous => Client(null);

    /// <summary>Waits for the process to end by itself; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process (SIGKILL: no graceful shutdown) and waits; the data file stays.</summary>
    public async Task KillAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException) { /* exited in between */ }
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM (a graceful stop) and waits for the exit; false on timeout.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        if (!_process.HasExited && Signals.Kill(_process.Id, Signals.SIGTERM) != 0)
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Waits until a stdout line matches (the log is written by a background task).</summary>
    public Task<string> WaitForStdoutAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitForLineAsync(_stdout, match, timeout);

    /// <summary>Waits until a stderr line matches (read on another thread than the test's).</summary>
    public Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitForLineAsync(_stderr, match, timeout);

    private async Task<string> WaitForLineAsync(ConcurrentQueue<string> lines, Func<string, bool> match, TimeSpan? timeout)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? Patience;
        while (true)
        {
            var line = lines.FirstOrDefault(match);
            if (line is not null) return line;
            if (deadline.Elapsed > limit) throw new TimeoutException($"No matching line within {limit}. {Describe()}");
            await Task.Delay(20);
        }
    }

    public string Describe() =>
        $"Exited: {(_process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no")}. " +
        $"Args: {string.Join(' ', Arguments)}\nstdout:\n{string.Join('\n', _stdout)}\nstderr:\n{string.Join('\n', _stderr)}";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await KillAsync();
        _process.Dispose();
        if (_ownedDataPath is not null) TempData.Delete(_ownedDataPath);
        try { File.Delete(ReadyFile); }
        catch (IOException) { /* best effort: a temp file */ }
    }
}
