using System;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>Retries against the real sandbox started with --faults drop=P,only=POST: a dropped
/// POST was committed before its connection was cut, so the client's retry (same
/// Idempotency-Key) must get the stored answer back instead of applying the change again.</summary>
public sealed class SandboxFaultTests
{
    private const double DropShare = 0.5;

    /// <summary>The sandbox rolls three doubles per POST from new Random(seed), the second
    /// deciding the drop; pick a seed whose very first POST is dropped, so every run exercises a
    /// retry after a committed-but-unanswered request. The stats check below tells if the
    /// sandbox ever rolls differently.</summary>
    private static int SeedWhoseFirstPostIsDropped()
    {
        for (var seed = 1; ; seed++)
        {
            var random = new Random(seed);
            random.NextDouble();
            if (random.NextDouble() < DropShare) return seed;
        }
    }

    [Fact]
    public async Task Dropped_posts_are_retried_and_applied_exactly_once()
    {
        const string key = "core-faults-1";
        var seed = SeedWhoseFirstPostIsDropped();
        await using var sandbox = await SandboxProcess.StartAsync(new SandboxStart
        {
            Keys = new[] { key },
            Now = "2026-02-20T14:00:00Z",
            ExtraArgs = new[] { "--faults", string.Create(CultureInfo.InvariantCulture, $"seed={seed},drop={DropShare},only=POST") },
        });
        var log = new RecordingLog();
        var retry = new RetryPolicy { MaxRetries = 10, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) };
        using var client = Clients.Create(sandbox.ApiUri, key, timeout: TimeSpan.FromSeconds(10), log: log, retry: retry);

        var values = new long[] { 300, 1, 50, 7, 120, 2 };
        long total = 0;
        foreach (var value in values)
        {
            var score = await Bounded.Within(
                client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "frank", Action = ScoreActions.GiftRedeemed, Value = value }),
                TimeSpan.FromSeconds(20), "a score update against a dropping sandbox");
            Assert.Equal(total, score.Previous);
            Assert.Equal(total + value, score.Current);
            total += value;
        }

        // GETs are not faulted (only=POST): the audit counts every update once.
        var audit = await client.GetCurrencyAuditAsync("gifts_redeemed", "24h");
        Assert.Equal(values.Length, audit.Summary.TotalGifts);
        Assert.Equal(total, audit.Summary.TotalValue);

        // The faults really happened, and at least one retry was answered from the idempotency record.
        var dropped = await DroppedAsync(sandbox, key);
        Assert.True(dropped >= 1, $"The sandbox dropped no POST (seed {seed}). {sandbox.Describe()}");
        Assert.Contains(log.VerboseLines, l => l.StartsWith("Retrying POST", StringComparison.Ordinal));
        Assert.Contains("Idempotent-Replayed: true", string.Join("\n", log.DebugLines), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<long> DroppedAsync(SandboxProcess sandbox, string key)
    {
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.GetAsync("/_sandbox/stats");
        response.EnsureSuccessStatusCode();
        using var stats = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return stats.RootElement.GetProperty("faults").GetProperty("dropped_after_commit").GetInt64();
    }
}
