using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The sandbox as a .NET tool: packed (as build.ps1 -Task Package does), installed from
/// a local package folder into a temporary tool path with no other feed, and run as
/// giftstudio-sandbox: --version, then a start with --port-file and a /health call.</summary>
public sealed class ToolPackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory)
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
            var feed = Path.Combine(work, "feed");
            var project = Path.Combine(RepositoryRoot, "src/GiftStudio.Sandbox/GiftStudio.Sandbox.csproj");
            var pack = await RunAsync(SandboxProcess.DotnetHost, new[] { "pack", project, "-c", Configuration, "--no-build", "-o", feed, "--nologo", "-v", "quiet" }, work);
            Assert.True(pack.ExitCode == 0, pack.Output);
            var package = Assert.Single(Directory.GetFiles(feed, "GiftStudio.Sandbox.*.nupkg"));
            var version = Regex.Match(Path.GetFileName(package), @"^GiftStudio\.Sandbox\.(.+)\.nupkg$").Groups[1].Value;

            // Only the local folder: the install must not need any other feed.
            var config = Path.Combine(work, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
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
            using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(30));
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
