using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The sandbox as a .NET tool: packed (as build.ps1 -Task Package does), installed from
/// a local package folder into a temporary tool path with no other feed, and run as
/// giftstudio-sandbox: --version, then a start with --port-file and a /health call.</summary>
public sealed class ToolPackageTests : IClassFixture<PackedTool>
{
    private readonly PackedTool _tool;

    public ToolPackageTests(PackedTool tool) => _tool = tool;

    internal static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_serves()
    {
        var work = Directory.CreateDirectory(Path.Combine(TempData.Folder, "tool-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var version = _tool.Version;
            var config = _tool.WriteNuGetConfig(work);
            var tools = Path.Combine(work, "tools");
            var install = await RunAsync(SandboxProcess.DotnetHost, new[] { "tool", "install", "GiftStudio.Sandbox", "--tool-path", tools, "--configfile", config, "--version", version }, work);
            Assert.True(install.ExitCode == 0, install.Output);
            var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "giftstudio-sandbox.exe" : "giftstudio-sandbox");
            Assert.True(File.Exists(command), install.Output);

            var printed = await RunAsync(command, new[] { "--version" }, work);
            Assert.Equal(0, printed.ExitCode);
            Assert.Equal($"GiftStudio.Sandbox {version}", printed.Output.Trim());

            await RunServerAsync(command, work, version);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The README's "Using the sandbox in CI" job, run as written (bash, curl, jq) in a
    /// folder that has the package under out/package and two API tests, one failing: the job
    /// installs the tool, starts it, resets between tests, shows the failing test's log lines,
    /// stops it with SIGTERM and exits 1.</summary>
    [Fact]
    public async Task The_README_CI_job_runs_as_written()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(PackedTool.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("### Using the sandbox in CI", StringComparison.Ordinal)..];
        var script = Regex.Match(section, "```bash\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("--ready-file", script, StringComparison.Ordinal);
        var work = Directory.CreateDirectory(Path.Combine(TempData.Folder, "ci-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            _tool.WriteNuGetConfig(work);
            var package = Directory.CreateDirectory(Path.Combine(work, "out/package")).FullName;
            File.Copy(_tool.PackagePath, Path.Combine(package, Path.GetFileName(_tool.PackagePath)));
            var tests = Directory.CreateDirectory(Path.Combine(work, "tests/api")).FullName;
            await File.WriteAllTextAsync(Path.Combine(tests, "a-passes.sh"), """
                set -euo pipefail
                curl -fsS -X POST -H "Authorization: Bearer $SOCIALOS_API_KEY" -H 'Content-Type: application/json' -H 'X-Request-Id: a-1' \
                    "$SOCIALOS_BASE_URI/gamification/score" -d '{"userId":"ci","metric":"tier","action":"adjustment","value":5}' > /dev/null
                # The reset before this test left the tenant empty: ci has exactly 5.
                curl -fsS -H "Authorization: Bearer $SOCIALOS_API_KEY" "$SOCIALOS_BASE_URI/gamification/score/ci" | grep -q '"current":5,'
                """.Replace("\r", ""));
            await File.WriteAllTextAsync(Path.Combine(tests, "b-fails.sh"), """
                set -euo pipefail
                # The reset after a-passes.sh: ci starts again from 0 (else the next request is never made).
                curl -fsS -X POST -H "Authorization: Bearer $SOCIALOS_API_KEY" -H 'Content-Type: application/json' -H 'X-Request-Id: b-1' \
                    "$SOCIALOS_BASE_URI/gamification/score" -d '{"userId":"ci","metric":"tier","action":"adjustment","value":5}' | grep -q '"previous":0,'
                curl -fsS -X POST -H "Authorization: Bearer $SOCIALOS_API_KEY" -H 'Content-Type: application/json' -H 'X-Request-Id: b-2' \
                    "$SOCIALOS_BASE_URI/gamification/gifts?typo=1" -d '{"name":"","tier":"gold","reward":1}' > /dev/null
                """.Replace("\r", ""));
            var job = Path.Combine(work, "job.sh");
            await File.WriteAllTextAsync(job, script);

            var run = await RunAsync("bash", new[] { job }, work);

            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Output}");
            Assert.Contains("{\"status\":\"ok\"", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("FAILED: tests/api/a-passes.sh", run.Output, StringComparison.Ordinal);
            Assert.Contains("FAILED: tests/api/b-fails.sh", run.Output, StringComparison.Ordinal);
            Assert.Contains("\"request_id\":\"b-2\"", run.Output, StringComparison.Ordinal);
            Assert.Contains("\"query\":\"?typo=1\"", run.Output, StringComparison.Ordinal);
            Assert.Contains("\"problem_type\":\"https://docs.socialos.io/errors/validation\"", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("\"request_id\":\"a-1\"", run.Output, StringComparison.Ordinal);
            Assert.Matches(new Regex("\\{\"requests\":[0-9]+,\"success\":[0-9]+,\"client_errors\":1,\"server_errors\":0,\"dropped\":0,\"replayed\":0\\}"), run.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>As a pipeline would: start with --port-file, poll /health, stop with SIGTERM.</summary>
    private static async Task RunServerAsync(string command, string work, string version)
    {
        var portFile = Path.Combine(work, "sandbox.port");
        var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        foreach (var arg in new[] { "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", Path.Combine(work, "sandbox.db"), "--port-file", portFile,
                     "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        using var server = Process.Start(info)!;
        var output = server.StandardOutput.ReadToEndAsync();
        var errors = server.StandardError.ReadToEndAsync();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(portFile))
            {
                if (server.HasExited) Assert.Fail($"the tool exited with {server.ExitCode}: {await errors}");
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "no port file within 60 s");
                await Task.Delay(50);
            }
            var port = int.Parse((await File.ReadAllTextAsync(portFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var health = await client.GetAsync("/health");
            Assert.Equal(200, (int)health.StatusCode);
            Assert.Contains($"\"version\":\"{version}\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(0, Signals.Kill(server.Id, Signals.SIGTERM));
            using var timeout = new System.Threading.CancellationTokenSource(SandboxProcess.Patience);
            await server.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, server.ExitCode);
            Assert.StartsWith($"Listening on http://127.0.0.1:{port}", await output, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }
}

/// <summary>The sandbox packed once for the class (as build.ps1 -Task Package does), into a
/// temporary feed folder.</summary>
public sealed class PackedTool : IAsyncLifetime
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    private readonly string _work = Path.Combine(TempData.Folder, "pack-" + Guid.NewGuid().ToString("N"));

    public string Feed => Path.Combine(_work, "feed");
    public string PackagePath { get; private set; } = "";
    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var project = Path.Combine(RepositoryRoot, "src/GiftStudio.Sandbox/GiftStudio.Sandbox.csproj");
        var pack = await ToolPackageTests.RunAsync(SandboxProcess.DotnetHost, new[] { "pack", project, "-c", Configuration, "--no-build", "-o", Feed, "--nologo", "-v", "quiet" }, _work);
        Assert.True(pack.ExitCode == 0, pack.Output);
        PackagePath = Assert.Single(Directory.GetFiles(Feed, "GiftStudio.Sandbox.*.nupkg"));
        Version = Regex.Match(Path.GetFileName(PackagePath), @"^GiftStudio\.Sandbox\.(.+)\.nupkg$").Groups[1].Value;
    }

    /// <summary>A nuget.config in <paramref name="folder"/> with the local feed as the only source:
    /// an install must not need (or ask) any other feed.</summary>
    public string WriteNuGetConfig(string folder)
    {
        var config = Path.Combine(folder, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return config;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
