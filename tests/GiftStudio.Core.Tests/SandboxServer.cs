using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Core.Tests;

/// <summary>The real sandbox as a child process (a small copy of the Sandbox.Tests helper):
/// `dotnet GiftStudio.Sandbox.dll --urls http://127.0.0.1:0 ...` from this test's output
/// folder, a fresh temporary data file, --parent-pid of the test process. Ready once it printed
/// "Listening on" and GET /health answered 200; dispose kills it, waits, deletes the data.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _dataPath;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private SandboxServer(IReadOnlyList<string> keys, string? now, IReadOnlyList<string>? extraArgs)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "giftstudio-core-tests")).FullName;
        _dataPath = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db");
        var info = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GiftStudio.Sandbox.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var key in keys)
        {
            info.ArgumentList.Add("--api-key");
            info.ArgumentList.Add(key);
        }
        // The client's tests do not test durability: the sandbox keeps its data in memory.
        info.ArgumentList.Add("--storage");
        info.ArgumentList.Add("memory");
        if (now is not null)
        {
            info.ArgumentList.Add("--now");
            info.ArgumentList.Add(now);
        }
        foreach (var arg in extraArgs ?? Array.Empty<string>()) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("--parent-pid");
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _listening.TrySetException(new InvalidOperationException($"The sandbox closed its output before 'Listening on'. {Describe()}"));
                return;
            }
            _output.Enqueue(e.Data);
            if (e.Data.StartsWith("Listening on ", StringComparison.Ordinal))
                _listening.TrySetResult(new Uri(e.Data["Listening on ".Length..].Trim()));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _output.Enqueue("stderr: " + e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The dotnet host running this test (dotnet test sets DOTNET_HOST_PATH).</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Where it listens, e.g. http://127.0.0.1:41234 (no path).</summary>
    public Uri Root { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The API root, written without a trailing slash on purpose.</summary>
    public Uri BaseUri => new(Root.GetLeftPart(UriPartial.Authority) + "/v2");

    public static async Task<SandboxServer> StartAsync(IReadOnlyList<string> keys, string? now = null, IReadOnlyList<string>? extraArgs = null)
    {
        var server = new SandboxServer(keys, now, extraArgs);
        try
        {
            server.Root = await server._listening.Task.WaitAsync(StartTimeout);
            if (server.Root.Host != "127.0.0.1") throw new InvalidOperationException($"The sandbox listens on {server.Root}, not loopback.");
            using var probe = new HttpClient { BaseAddress = server.Root, Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync("/health");
                    if (response.StatusCode == HttpStatusCode.OK) return server;
                }
                catch (HttpRequestException) when (clock.Elapsed < StartTimeout)
                {
                }
                if (server._process.HasExited || clock.Elapsed >= StartTimeout)
                    throw new InvalidOperationException($"The sandbox did not become ready. {server.Describe()}");
                await Task.Delay(50);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Describe() =>
        $"Exited: {(_process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "no")}. Output:\n{string.Join('\n', _output)}";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        foreach (var file in new[] { _dataPath, _dataPath + "-wal", _dataPath + "-shm", _dataPath + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
