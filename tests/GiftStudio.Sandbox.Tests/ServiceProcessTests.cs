using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The sandbox as a CI service, over real processes: one owner per data file (an OS
/// lock that dies with its process), one clear line and a documented exit code for every
/// startup failure, --fresh, --port-file, --version, SIGTERM with a shutdown line.</summary>
public sealed class ServiceProcessTests
{
    private static string Pid => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Launches with the arguments, waits for the exit, and checks the one-line refusal.</summary>
    private static async Task<string> RefusedAsync(int exitCode, params string[] args)
    {
        await using var process = SandboxProcess.Launch(args);
        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), $"still running: {process.Describe()}");
        Assert.True(exitCode == process.ExitCode, $"expected exit code {exitCode}: {process.Describe()}");
        Assert.DoesNotContain(process.StdoutLines, l => l.StartsWith("Listening on", StringComparison.Ordinal));
        var stderr = process.StderrLines.Where(l => l.Length > 0).ToList();
        Assert.True(stderr.Count == 1, $"expected one line on stderr: {process.Describe()}");
        Assert.StartsWith("GiftStudio.Sandbox: ", stderr[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr[0], StringComparison.Ordinal);
        Assert.DoesNotContain(process.StdoutLines, l => l.Contains("Exception", StringComparison.Ordinal));
        return stderr[0];
    }

    [Fact]
    public async Task A_second_sandbox_on_the_same_data_file_is_refused_with_exit_code_3_and_the_first_keeps_serving()
    {
        using var data = new TempData();
        await using var first = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        await first.Client("K1").AddScoreAsync("owner", 5);

        var line = await RefusedAsync(3, "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", data.Path, "--parent-pid", Pid);

        Assert.Contains(data.Path, line, StringComparison.Ordinal);
        Assert.Contains("in use by another running sandbox", line, StringComparison.Ordinal);
        Assert.Equal(6, (await first.Client("K1").AddScoreAsync("owner", 1)).Int("current"));
    }

    [Fact]
    public async Task The_lock_goes_with_a_SIGKILLed_owner_and_the_next_start_keeps_its_data()
    {
        using var data = new TempData();
        var start = new SandboxStart { DataPath = data.Path };
        var owner = await SandboxProcess.StartAsync(start);
        await owner.Client("K1").AddScoreAsync("kept", 42);
        Assert.Equal(0, Signals.Kill(owner.Pid, Signals.SIGKILL));
        Assert.True(await owner.WaitForExitAsync(SandboxProcess.Patience), owner.Describe());
        Assert.Equal(137, owner.ExitCode);
        await owner.DisposeAsync();

        await using var next = await SandboxProcess.StartAsync(start);

        Assert.Equal(42, await next.Client("K1").CurrentScoreAsync("kept"));
        Assert.False(File.Exists(data.Path + ".lock"), "no lock file: the lock is on the data file itself");
    }

    [Fact]
    public async Task A_port_in_use_exits_4_in_one_line_and_leaves_no_files_behind()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;
        var folder = Path.Combine(TempData.Folder, Guid.NewGuid().ToString("N"));
        try
        {
            var dataPath = Path.Combine(folder, "new.db");
            var url = $"http://127.0.0.1:{port}";

            var line = await RefusedAsync(4, "--urls", url, "--api-key", "K1", "--data", dataPath);

            Assert.Contains(url, line, StringComparison.Ordinal);
            Assert.Contains("port 0", line, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            occupied.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_existing_data_file_stays_as_it_was_when_the_port_is_in_use()
    {
        using var data = new TempData();
        await using (var first = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path }))
        {
            await first.Client("K1").AddScoreAsync("stays", 3);
            Assert.True(await first.TerminateAsync(SandboxProcess.Patience), first.Describe());
        }
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;

        await RefusedAsync(4, "--urls", $"http://127.0.0.1:{port}", "--api-key", "K1", "--data", data.Path);
        occupied.Stop();

        Assert.False(File.Exists(data.Path + "-wal"), "a -wal file was left behind");
        await using var again = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        Assert.Equal(3, await again.Client("K1").CurrentScoreAsync("stays"));
    }

    public static TheoryData<string, string> UnusableDataPaths() => new()
    {
        // A folder, a path under a regular file, a file that is not SQLite.
        { "folder", "is a folder" },
        { "under-a-file", "folder cannot be created" },
        { "not-sqlite", "cannot be used as a SQLite data file" },
    };

    [Theory]
    [MemberData(nameof(UnusableDataPaths))]
    public async Task An_unusable_data_path_exits_5_naming_the_path(string kind, string reason)
    {
        var folder = Directory.CreateDirectory(Path.Combine(TempData.Folder, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var file = Path.Combine(folder, "plain.txt");
            await File.WriteAllTextAsync(file, "These are not the rows you are looking for.\n" + new string('x', 4096));
            var dataPath = kind switch
            {
                "folder" => folder,
                "under-a-file" => Path.Combine(file, "sandbox.db"),
                _ => file,
            };

            var line = await RefusedAsync(5, "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", dataPath);

            Assert.Contains(dataPath, line, StringComparison.Ordinal);
            Assert.Contains(reason, line, StringComparison.Ordinal);
            Assert.StartsWith("These are not the rows", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_parent_pid_that_is_not_running_is_an_argument_error()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        var pid = gone.Id.ToString(CultureInfo.InvariantCulture);

        var line = await RefusedAsync(2, "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", Path.Combine(TempData.Folder, "never.db"), "--parent-pid", pid);

        Assert.Contains($"--parent-pid {pid}", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(TempData.Folder, "never.db")));
    }

    [Fact]
    public async Task Localhost_port_0_listens_on_a_free_loopback_port()
    {
        using var data = new TempData();
        await using var server = SandboxProcess.Launch(new[] { "--urls", "http://localhost:0", "--api-key", "K1", "--data", data.Path, "--parent-pid", Pid }, data.Path);
        await server.WaitUntilReadyAsync();

        Assert.NotEqual(0, server.BaseAddress.Port);
        (await server.Client("K1").FetchAsync(SandboxCalls.Gifts)).IsOk();
    }

    [Fact]
    public async Task A_missing_data_folder_is_created_and_the_start_line_says_what_the_file_holds()
    {
        var folder = Path.Combine(TempData.Folder, Guid.NewGuid().ToString("N"), "nested");
        var dataPath = Path.Combine(folder, "sandbox.db");
        try
        {
            await using (var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = dataPath }))
            {
                Assert.True(File.Exists(dataPath));
                await server.WaitForStdoutAsync(l => l == $"Data: {dataPath} (new file; SQLite WAL, synchronous=FULL): 2 tenants, 0 gifts, 0 users with scores, 0 score events.");
                var k1 = server.Client("K1");
                await k1.NewGiftAsync();
                await k1.AddScoreAsync("a", 1);
                await k1.AddScoreAsync("a", 2);
                Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
            }
            await using var again = await SandboxProcess.StartAsync(new SandboxStart { DataPath = dataPath, Keys = new[] { "K1" } });
            await again.WaitForStdoutAsync(l => l == $"Data: {dataPath} (existing file; SQLite WAL, synchronous=FULL): 2 tenants, 1 gift, 1 user with scores, 2 score events.");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public async Task Restarting_with_an_earlier_now_warns_that_later_events_are_not_counted()
    {
        using var data = new TempData();
        // A manual clock records both events at exactly --now, however slowly this machine starts.
        await using (var later = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-20T14:00:00Z", ExtraArgs = new[] { "--clock", "manual" } }))
        {
            await later.Client("K1").AddScoreAsync("future", 10, "gift_redeemed");
            await later.Client("K1").AddScoreAsync("future", 10, "gift_redeemed");
        }
        await using (var earlier = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-10T14:00:00Z" }))
        {
            // From the ready file, written after every warning: no waiting on the console.
            var warning = Assert.Single(earlier.Warnings);
            Assert.Contains("2 score events", warning, StringComparison.Ordinal);
            Assert.Contains(earlier.StderrLines, l => l == "GiftStudio.Sandbox: Warning: " + warning);
            Assert.Contains("the clock, which started at 2026-02-10T14:00:00Z (--now)", warning, StringComparison.Ordinal);
            Assert.Contains("(the newest is at 2026-02-20T14:00:00Z)", warning, StringComparison.Ordinal);
        }

        await using var onTime = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-21T14:00:00Z" });
        Assert.Empty(onTime.Warnings);
        Assert.True(await onTime.TerminateAsync(SandboxProcess.Patience), onTime.Describe());
        Assert.DoesNotContain(onTime.StderrLines, l => l.Contains("Warning:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fresh_wipes_a_sandbox_file_but_refuses_a_stranger_file_unless_forced()
    {
        using var data = new TempData();
        await using (var first = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path }))
        {
            await first.Client("K1").NewGiftAsync();
            await first.Client("K1").AddScoreAsync("old", 9);
        }
        await using (var fresh = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, ExtraArgs = new[] { "--fresh" } }))
        {
            Assert.Null(await fresh.Client("K1").CurrentScoreAsync("old"));
            Assert.Empty(await fresh.Client("K1").ListAllGiftsAsync(10));
            await fresh.WaitForStdoutAsync(l => l.StartsWith($"Data: {data.Path} (emptied by --fresh;", StringComparison.Ordinal));
        }

        using var stranger = new TempData(".txt");
        await File.WriteAllTextAsync(stranger.Path, "precious notes\n");
        var line = await RefusedAsync(5, "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", stranger.Path, "--fresh");
        Assert.Contains("--force", line, StringComparison.Ordinal);
        Assert.Equal("precious notes\n", await File.ReadAllTextAsync(stranger.Path));

        await RefusedAsync(2, "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", stranger.Path, "--force");
        Assert.Equal("precious notes\n", await File.ReadAllTextAsync(stranger.Path));

        await using var forced = await SandboxProcess.StartAsync(new SandboxStart { DataPath = stranger.Path, ExtraArgs = new[] { "--fresh", "--force" } });
        (await forced.Client("K1").FetchAsync(SandboxCalls.Gifts)).IsOk();
    }

    [Fact]
    public async Task Port_file_is_written_once_listening_and_SIGTERM_stops_with_exit_0_a_shutdown_line_and_no_port_file()
    {
        using var data = new TempData();
        using var portFile = new TempData(".port");
        await using var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, ExtraArgs = new[] { "--port-file", portFile.Path } });

        var text = await File.ReadAllTextAsync(portFile.Path);
        Assert.Matches(new Regex("^[0-9]+\n$"), text);
        Assert.Equal(server.BaseAddress.Port, int.Parse(text, CultureInfo.InvariantCulture));
        var k1 = server.Client("K1");
        await k1.AddScoreAsync("counted", 1);
        (await k1.ScoreAsync("counted", 0)).Is(400);

        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());

        Assert.Equal(0, server.ExitCode);
        Assert.False(File.Exists(portFile.Path), "the port file outlived the sandbox");
        var stop = Assert.Single(server.StdoutLines, l => l.Contains("Stopped after", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"served requests [0-9]+, success [0-9]+, client errors 1, server errors 0, dropped 0, replayed 0\."), stop);
    }

    [Fact]
    public async Task Version_matches_the_module_and_health_reports_it_for_GET_and_HEAD()
    {
        var manifest = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "../../../../../GiftStudio.psd1"));
        var version = Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value;
        Assert.NotEmpty(version);

        await using (var printed = SandboxProcess.Launch(new[] { "--version" }))
        {
            Assert.True(await printed.WaitForExitAsync(SandboxProcess.Patience), printed.Describe());
            Assert.Equal(0, printed.ExitCode);
            Assert.Equal(new[] { $"GiftStudio.Sandbox {version}" }, printed.StdoutLines.Where(l => l.Length > 0).ToArray());
        }

        await using var server = await SandboxProcess.StartAsync();
        var get = await server.Anonymous.FetchAsync("/health");
        Assert.Equal(version, get.Json.Str("version"));
        Assert.Equal("ok", get.Json.Str("status"));
        var head = await server.Anonymous.ExchangeAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(get.ContentHeaders.ContentLength, head.ContentHeaders.ContentLength);
        Assert.Equal(get.MediaType, head.MediaType);
    }

    [Fact]
    public async Task Help_documents_every_exit_code()
    {
        await using var help = SandboxProcess.Launch(new[] { "--help" });
        Assert.True(await help.WaitForExitAsync(SandboxProcess.Patience), help.Describe());
        var text = string.Join("\n", help.StdoutLines);
        foreach (var code in new[] { "0  stopped", "1  unexpected", "2  argument error", "3  the data file is in use", "4  cannot listen", "5  the data path is unusable" })
            Assert.Contains(code, text, StringComparison.Ordinal);
        foreach (var option in new[] { "--fresh", "--force", "--strict-properties", "--log-format", "--log-file", "--port-file", "--version" })
            Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_beyond_loopback_warns_at_start()
    {
        using var data = new TempData();
        await using var server = SandboxProcess.Launch(new[] { "--urls", "http://0.0.0.0:0", "--api-key", "K1", "--data", data.Path, "--parent-pid", Pid }, data.Path);
        var listening = await server.WaitForStdoutAsync(l => l.StartsWith("Listening on ", StringComparison.Ordinal));

        Assert.StartsWith("Listening on http://0.0.0.0:", listening, StringComparison.Ordinal);
        Assert.Equal(listening, server.StdoutLines[0]);
        var warning = await server.WaitForStderrAsync(l => l.Length > 0);
        Assert.Contains("beyond loopback", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_still_running_at_the_shutdown_timeout_is_cut_off_uncommitted_and_the_stop_exits_0()
    {
        using var data = new TempData();
        using var log = new TempData(".log");
        var start = new SandboxStart { DataPath = data.Path, ExtraArgs = new[] { "--shutdown-timeout", "1", "--faults", "delay=60000,only=POST", "--log-file", log.Path } };
        await using (var server = await SandboxProcess.StartAsync(start))
        {
            using var slow = server.NewClient("K1");
            var running = slow.PostAsync(SandboxCalls.Score, new StringContent(SandboxCalls.ScoreBody("cut.off", 5), System.Text.Encoding.UTF8, "application/json"));
            // In flight once the sandbox has counted it (the delay comes after).
            var deadline = Stopwatch.StartNew();
            while (!(await server.Client("K1").FetchAsync("/_sandbox/stats")).Text.Contains("POST /v2/gamification/score", StringComparison.Ordinal))
            {
                Assert.True(deadline.Elapsed < SandboxProcess.Patience, server.Describe());
                await Task.Delay(20);
            }

            Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
            Assert.Equal(0, server.ExitCode);
            await Assert.ThrowsAnyAsync<Exception>(() => running);
            var line = Assert.Single(await File.ReadAllLinesAsync(log.Path), l => l.Contains($"POST {SandboxCalls.Score}", StringComparison.Ordinal));
            Assert.Contains("dropped", line, StringComparison.Ordinal);
        }
        await using var again = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        Assert.Null(await again.Client("K1").CurrentScoreAsync("cut.off"));
    }
}
