using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>--storage memory: the same service on a temporary, non-durable file that is gone
/// when the process ends (a clean stop removes it, the next start removes a killed one's).
/// Alone, never beside other tests: every memory sandbox's start clears the files of dead ones in
/// the shared folder, so a sandbox another test starts would remove the killed one's file before
/// this test could see it left behind (a run failed that way).</summary>
[Collection(nameof(MemoryStorageTests))]
public sealed class MemoryStorageTests
{
    private static string MemoryFileOf(SandboxProcess server)
    {
        var line = server.StdoutLines.First(l => l.StartsWith("Data: ", StringComparison.Ordinal));
        Assert.Contains("in memory with --storage memory", line, StringComparison.Ordinal);
        Assert.Contains("synchronous=OFF", line, StringComparison.Ordinal);
        return line.Substring("Data: ".Length, line.IndexOf(" (", StringComparison.Ordinal) - "Data: ".Length);
    }

    [Fact]
    public async Task Serves_the_contract_and_leaves_nothing_after_a_clean_stop()
    {
        await using var server = await SandboxProcess.StartAsync();
        await server.WaitForStdoutAsync(l => l.StartsWith("Data: ", StringComparison.Ordinal));
        var file = MemoryFileOf(server);
        Assert.True(File.Exists(file), file);
        if (Directory.Exists("/dev/shm")) Assert.StartsWith("/dev/shm/", file, StringComparison.Ordinal);

        var client = server.Client("K1");
        (await client.ScoreAsync("mem.user", 40)).IsOk();
        Assert.Equal(40, await client.CurrentScoreAsync("mem.user"));

        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
        Assert.False(File.Exists(file), $"{file} outlived its sandbox");
        Assert.False(File.Exists(file + "-wal"));
    }

    [Fact]
    public async Task The_data_file_and_its_wal_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // no Unix modes; Windows' temp folder is per user
        await using var server = await SandboxProcess.StartAsync();
        await server.WaitForStdoutAsync(l => l.StartsWith("Data: ", StringComparison.Ordinal));
        var file = MemoryFileOf(server);
        (await server.Client("K1").ScoreAsync("mode.user", 5)).IsOk();   // a write, so the WAL exists

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file + "-wal"));
    }

    [Fact]
    public async Task A_killed_sandboxs_file_is_removed_by_the_next_start()
    {
        var first = await SandboxProcess.StartAsync();
        await first.WaitForStdoutAsync(l => l.StartsWith("Data: ", StringComparison.Ordinal));
        var file = MemoryFileOf(first);
        await first.KillAsync();
        await first.DisposeAsync();
        Assert.True(File.Exists(file), "SIGKILL leaves the file behind");

        await using var second = await SandboxProcess.StartAsync();
        Assert.False(File.Exists(file), $"{file} of a dead sandbox is still there");
    }

    [Theory]
    [InlineData("--data", "x.db")]
    [InlineData("--fresh")]
    public async Task Memory_with_a_data_file_or_fresh_is_an_argument_error(params string[] extra)
    {
        await using var process = SandboxProcess.Launch(new[] { "--api-key", "K1", "--storage", "memory" }.Concat(extra));
        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), process.Describe());
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(process.StderrLines, l => l.Contains("--storage memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_storage_kind_is_an_argument_error()
    {
        await using var process = SandboxProcess.Launch(new[] { "--api-key", "K1", "--storage", "ram" });
        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), process.Describe());
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(process.StderrLines, l => l.Contains("--storage 'ram'", StringComparison.Ordinal));
    }
}

/// <summary>Runs <see cref="MemoryStorageTests"/> after the parallel tests, on its own.</summary>
[CollectionDefinition(nameof(MemoryStorageTests), DisableParallelization = true)]
public sealed class MemoryStorageCollection;
