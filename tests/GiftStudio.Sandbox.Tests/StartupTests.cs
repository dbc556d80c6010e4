using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The command line: key switches and key files, refusals of bad switches, generated
/// keys, tier configuration, and --parent-pid.</summary>
public sealed class StartupTests
{
    public static TheoryData<string[], string> BadSwitches() => new()
    {
        { new[] { "--bogus" }, "--bogus" },
        { new[] { "--api-key", "K1", "--rate-limit", "abc" }, "--rate-limit" },
        { new[] { "--api-key", "K1", "--rate-limit", "0" }, "--rate-limit" },
        { new[] { "--api-key", "K1", "--rate-limit" }, "--rate-limit" },
        { new[] { "--urls", "http://192.0.2.10:0" }, "loopback" },
        { new[] { "--urls", "https://127.0.0.1:0", "--api-key", "K1" }, "--urls" },
        { new[] { "--api-key", "K1", "--now", "yesterday" }, "--now" },
        { new[] { "--api-key", "K1", "--parent-pid", "abc" }, "--parent-pid" },
        { new[] { "--api-key-file", "/nonexistent/giftstudio/keys.txt" }, "--api-key-file" },
        { new[] { "--api-key", "has space" }, "--api-key" },
        { new[] { "--api-key", "K1", "--seed", "0,10" }, "--seed" },
        { new[] { "--api-key", "K1", "--seed", "abc" }, "--seed" },
        { new[] { "--api-key", "K1", "--seed", "10,366" }, "--seed" },
        { new[] { "--api-key", "K1", "--faults", "delay=20-5" }, "delay=20-5 is reversed: give the smaller bound first, e.g. delay=5-20" },
        { new[] { "--api-key", "K1", "--log-format", "xml" }, "--log-format 'xml'" },
        { new[] { "--api-key", "K1", "--force" }, "--force only applies to --fresh" },
        { new[] { "--api-key", "K1", "--urls", "http://example.test:0" }, "the host must be an IP address" },
        { new[] { "--api-key", "K1", "--urls", "http://127.0.0.1:0/v2" }, "--urls" },
    };

    [Theory]
    [MemberData(nameof(BadSwitches))]
    public async Task Bad_switch_exits_non_zero_with_a_message_on_stderr(string[] args, string mentioned)
    {
        using var data = new TempData();
        await using var process = SandboxProcess.Launch(args.Concat(new[] { "--data", data.Path }));

        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), $"still running: {process.Describe()}");

        Assert.NotEqual(0, process.ExitCode);
        var stderr = string.Join("\n", process.StderrLines);
        Assert.Contains(mentioned, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(process.StdoutLines, l => l.StartsWith("Listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tier_thresholds_that_do_not_rise_are_refused_at_startup()
    {
        using var data = new TempData();
        await using var process = SandboxProcess.Launch(new[] { "--api-key", "K1", "--data", data.Path },
            environment: new Dictionary<string, string> { ["Tiers__gold"] = "100" });

        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), process.Describe());

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("gold", string.Join("\n", process.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tier_thresholds_come_from_configuration()
    {
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            Environment = new Dictionary<string, string> { ["Tiers__silver"] = "100", ["Tiers__gold"] = "200", ["Tiers__platinum"] = "300" },
        });
        var client = server.Client("K1");

        Assert.Equal("bronze", (await client.AddScoreAsync("cfg", 99)).Str("tier_name"));
        Assert.Equal("silver", (await client.AddScoreAsync("cfg", 1)).Str("tier_name"));
        Assert.Equal("gold", (await client.AddScoreAsync("cfg", 100)).Str("tier_name"));
        Assert.Equal("platinum", (await client.AddScoreAsync("cfg", 100)).Str("tier_name"));
    }

    [Fact]
    public async Task Key_file_and_key_switches_give_separate_tenants()
    {
        using var keyFile = new TempData(".keys");
        await File.WriteAllTextAsync(keyFile.Path, "# sandbox keys\r\n\r\n  key-one  \r\nkey-two\r\n");
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            Keys = new[] { "key-three" },
            ExtraArgs = new[] { "--api-key-file", keyFile.Path },
        });
        var one = server.Client("key-one");
        var two = server.Client("key-two");
        var three = server.Client("key-three");

        var gift = await one.NewGiftAsync("gold");
        await one.AddScoreAsync("same", 10);
        await two.AddScoreAsync("same", 20);
        await three.AddScoreAsync("same", 30);

        Assert.Equal(10, await one.CurrentScoreAsync("same"));
        Assert.Equal(20, await two.CurrentScoreAsync("same"));
        Assert.Equal(30, await three.CurrentScoreAsync("same"));
        (await two.FetchAsync($"{SandboxCalls.Gifts}/{gift}")).Is(404);
        Assert.Empty(await two.ListAllGiftsAsync(10));
        foreach (var notAKey in new[] { "# sandbox keys", "K1", "key-on", "key-one-two" })
            (await server.Client(notAKey).FetchAsync(SandboxCalls.Gifts)).Is(401);
    }

    [Fact]
    public async Task Without_a_key_on_loopback_a_generated_key_is_printed_and_works()
    {
        using var data = new TempData();
        await using var server = SandboxProcess.Launch(new[] { "--urls", "http://127.0.0.1:0", "--data", data.Path, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await server.WaitUntilReadyAsync();
        const string marker = "generated one for this run: ";
        string? line = null;
        for (var i = 0; i < 100 && line is null; i++)
        {
            line = server.StdoutLines.FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            if (line is null) await Task.Delay(50);
        }
        Assert.True(line is not null, server.Describe());
        var key = line![(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim();

        (await server.Client(key).FetchAsync(SandboxCalls.Gifts)).IsOk();
        (await server.Client("K1").FetchAsync(SandboxCalls.Gifts)).Is(401);
    }

    [Fact]
    public async Task Sandbox_exits_by_itself_when_its_parent_process_ends()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            await using var server = await SandboxProcess.StartAsync(new SandboxStart { ParentPid = parent.Id });
            (await server.Client("K1").FetchAsync(SandboxCalls.Gifts)).IsOk();
            Assert.False(server.HasExited, "the sandbox stopped while its parent was alive");

            parent.Kill();
            await parent.WaitForExitAsync();

            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(15)), $"the sandbox outlived its parent: {server.Describe()}");
            Assert.Equal(0, server.ExitCode);
            Assert.Contains(server.StdoutLines, l => l.Contains($"Parent process {parent.Id} has ended", StringComparison.Ordinal));
        }
        finally
        {
            if (!parent.HasExited) parent.Kill();
        }
    }
}
