using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>A data file that cannot take a write: each such write is a 507 problem that says
/// why, nothing of it is applied, /health answers 503 naming the reason until a write is stored
/// again, and a stop still exits 0. In process through the store's fault seam (SQLite's own
/// max_page_count: a real SQLITE_FULL); as a child process on a 2 MB tmpfs when the test runs
/// as root (CI does).</summary>
public sealed class StorageFailureTests
{
    private static async Task<Answer> RawAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            return new Answer(response, await response.Content.ReadAsByteArrayAsync());
        }
    }

    private static HttpRequestMessage Score(string user, long value, string key) =>
        new(HttpMethod.Post, SandboxCalls.Score)
        {
            Content = new StringContent(SandboxCalls.ScoreBody(user, value, "gift_redeemed"), Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", key } },
        };

    private static void IsInsufficientStorage(Answer answer)
    {
        Assert.True(answer.Status == 507, $"expected 507: {answer}");
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal(Problem.TypeBase + "insufficient-storage", answer.Json.Str("type"));
        Assert.Contains("the data file's disk is full", answer.Json.Str("detail"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(answer.RequestId));
    }

    [Fact]
    public async Task A_write_the_full_store_cannot_take_is_a_507_health_is_503_and_both_recover_with_the_key_applied_once()
    {
        await using var sandbox = await InProcessSandbox.StartAsync();
        var client = sandbox.Client("K1");
        await client.AddScoreAsync("filler", 1);
        await sandbox.Store.Database.LimitPagesAsync(1);

        // Until the file needs another page, writes are stored; then every one is a 507.
        long acknowledged = 1;
        Answer? refused = null;
        string? refusedKey = null;
        for (var i = 0; i < 2000 && refused is null; i++)
        {
            var key = Ids.Key();
            var answer = await RawAsync(client, Score($"filler.{i}", 1, key));
            if (answer.Status == 200) acknowledged++;
            else (refused, refusedKey) = (answer, key);
        }
        Assert.NotNull(refused);
        IsInsufficientStorage(refused!);
        IsInsufficientStorage(await RawAsync(client, Score("retried", 5, refusedKey!)));

        var health = await RawAsync(sandbox.Anonymous, new HttpRequestMessage(HttpMethod.Get, "/health"));
        Assert.True(health.Status == 503, health.ToString());
        Assert.Equal("application/problem+json", health.MediaType);
        Assert.Contains("the data file's disk is full", health.Json.Str("detail"), StringComparison.Ordinal);
        (await sandbox.Anonymous.FetchAsync("/health/live")).IsOk();
        Assert.Null(await client.CurrentScoreAsync("retried"));

        await sandbox.Store.Database.LimitPagesAsync(1_073_741_823);

        // The probe of /health stores a write again; the retry with its key is applied once.
        (await sandbox.Anonymous.FetchAsync("/health")).IsOk();
        (await client.ExchangeAsync(Score("retried", 5, refusedKey!))).IsOk();
        var replay = await client.ExchangeAsync(Score("retried", 5, refusedKey!));
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(5, await client.CurrentScoreAsync("retried"));
        var board = await client.LeaderboardAsync(1000);
        Assert.Equal(acknowledged + 1, board.Int("total"));
    }

    [RootOnLinuxFact]
    public async Task On_a_full_tmpfs_writes_are_507_health_is_503_and_SIGTERM_exits_0_in_one_line_at_most()
    {
        var mount = Directory.CreateTempSubdirectory("gs-full-disk-").FullName;
        Run("mount", $"-t tmpfs -o size=2m tmpfs {mount}");
        try
        {
            var data = Path.Combine(mount, "full.db");
            await using var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data });
            var client = server.NewClient("K1");
            Answer? refused = null;
            for (var i = 0; i < 5000 && refused is null; i++)
            {
                var answer = await RawAsync(client, Score($"user.{i}", 1, Ids.Key()));
                if (answer.Status != 200) refused = answer;
            }
            Assert.NotNull(refused);
            IsInsufficientStorage(refused!);
            var health = await RawAsync(client, new HttpRequestMessage(HttpMethod.Get, "/health"));
            Assert.True(health.Status == 503, health.ToString());
            Assert.Contains("disk is full", health.Json.Str("detail"), StringComparison.Ordinal);

            Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
            Assert.True(server.ExitCode == 0, server.Describe());
            Assert.DoesNotContain(server.StderrLines, l => l.Contains("Exception", StringComparison.Ordinal));
            Assert.DoesNotContain(server.StdoutLines, l => l.Contains("   at ", StringComparison.Ordinal));
            Assert.True(server.StdoutLines.Count(l => l.Contains("checkpoint failed", StringComparison.Ordinal)) <= 1, server.Describe());
            client.Dispose();
        }
        finally
        {
            Run("umount", mount);
            Directory.Delete(mount);
        }
    }

    [Fact]
    public async Task The_WAL_stays_near_1000_pages_under_a_long_write_load()
    {
        await using var sandbox = await InProcessSandbox.StartAsync();
        var client = sandbox.Client("K1");
        var wal = new FileInfo(sandbox.Store.Database.FilePath + "-wal");
        // 1,000 pages and what one commit of one score update adds (a few pages).
        const long bound = (1000 + 50) * (4096 + 24);
        long largest = 0;
        for (var i = 0; i < 1500; i++)
        {
            await client.AddScoreAsync($"wal.{i}", 1, "gift_redeemed");
            wal.Refresh();
            largest = Math.Max(largest, wal.Exists ? wal.Length : 0);
        }
        Assert.True(largest <= bound, $"the WAL reached {largest} bytes ({largest / 4120} pages)");
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments}: {error}");
    }
}

/// <summary>A test that mounts a file system: run as root on Linux (CI is), skipped elsewhere.</summary>
public sealed class RootOnLinuxFactAttribute : FactAttribute
{
    public RootOnLinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Skip = "Mounting a tmpfs needs root on Linux (CI runs as root); the in-process test covers the same rules through the store's fault seam.";
    }
}
