using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>POST /_sandbox/reset: test isolation without a restart. It clears the caller's
/// gifts, scores, events and idempotency records, never another tenant's.</summary>
public sealed class ResetTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public ResetTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Reset_clears_the_callers_data_and_leaves_other_tenants_alone()
    {
        var mine = _sandbox.FreshTenant();
        var other = _sandbox.FreshTenant();
        var key = Ids.Key();
        foreach (var client in new[] { mine, other })
        {
            var gift = await client.NewGiftAsync("gold");
            await client.AddScoreAsync("alice", 600, "gift_redeemed", gift);
            await client.AddScoreAsync("bob", 50);
            (await client.ScoreAsync("carol", 5, idempotencyKey: key)).IsOk();
        }
        var otherBefore = (await other.LeaderboardAsync()).GetRawText();
        var otherAudit = (await other.CurrencyOkAsync()).GetRawText();

        var removed = await mine.ResetAsync();

        Assert.Equal(1, removed.Int("gifts"));
        Assert.Equal(3, removed.Int("users"));
        Assert.Equal(3, removed.Int("events"));
        Assert.Equal(1, removed.Int("idempotency_records"));
        Assert.Empty(await mine.ListAllGiftsAsync(10));
        Assert.Null(await mine.CurrentScoreAsync("alice"));
        var board = await mine.LeaderboardAsync();
        Assert.Equal(0, board.Int("total"));
        var summary = (await mine.CurrencyOkAsync()).GetProperty("summary");
        Assert.Equal(0, summary.Int("total_gifts"));
        Assert.Equal(0, summary.Int("unique_recipients"));
        // The idempotency record is gone: the key runs afresh, even with another body.
        var reused = await mine.ScoreAsync("carol", 9, idempotencyKey: key);
        reused.IsOk();
        Assert.Null(reused.Header("Idempotent-Replayed"));
        // Ranks start again too: carol (9) is first, dave (1) second.
        Assert.Equal(2, (await mine.AddScoreAsync("dave", 1)).Int("rank"));

        Assert.Equal(otherBefore, (await other.LeaderboardAsync()).GetRawText());
        Assert.Equal(otherAudit, (await other.CurrencyOkAsync()).GetRawText());
        Assert.Single(await other.ListAllGiftsAsync(10));
        var replay = await other.ScoreAsync("carol", 5, idempotencyKey: key);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Reset_starts_the_callers_request_counts_again()
    {
        var client = _sandbox.FreshTenant();
        await client.FetchAsync(SandboxCalls.Gifts);
        await client.FetchAsync(SandboxCalls.Gifts);

        await client.ResetAsync();
        await client.FetchAsync(SandboxCalls.Gifts);

        var requests = (await client.FetchAsync("/_sandbox/stats")).Json.GetProperty("requests");
        Assert.Equal(1, requests.Int("GET /v2/gamification/gifts"));
    }

    [Fact]
    public async Task Reset_needs_a_key_and_a_POST_and_an_empty_tenant_resets_to_zeros()
    {
        (await _sandbox.Server.Anonymous.ExchangeAsync(new HttpRequestMessage(HttpMethod.Post, "/_sandbox/reset"))).Is(401);
        var get = await _sandbox.Client1.FetchAsync("/_sandbox/reset");
        get.Is(405);
        Assert.Equal("POST", get.Header("Allow"));

        var removed = await _sandbox.FreshTenant().ResetAsync();
        Assert.Equal(new[] { 0L, 0, 0, 0 }, new[] { "gifts", "users", "events", "idempotency_records" }.Select(name => removed.Int(name)).ToArray());
    }
}
