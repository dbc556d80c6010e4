using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Each API key is its own tenant: another key's resource answers exactly as a missing
/// one does, and no route reveals or counts another tenant's data.</summary>
public sealed class TenancyTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public TenancyTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Another_keys_gift_is_404_exactly_like_a_missing_one()
    {
        var owner = _sandbox.FreshTenant();
        var other = _sandbox.FreshTenant();
        var giftId = await owner.NewGiftAsync("gold");
        const string missingId = "gift_zzzzzzzzzzzz";

        var theirs = await other.FetchAsync($"{SandboxCalls.Gifts}/{giftId}");
        var missing = await other.FetchAsync($"{SandboxCalls.Gifts}/{missingId}");

        theirs.Is(404, "not-found");
        missing.Is(404, "not-found");
        Assert.Equal(missing.Json.Str("type"), theirs.Json.Str("type"));
        Assert.Equal(missing.Json.Str("title"), theirs.Json.Str("title"));
        Assert.Equal(missing.Json.Str("detail")!.Replace(missingId, "ID", StringComparison.Ordinal),
            theirs.Json.Str("detail")!.Replace(giftId, "ID", StringComparison.Ordinal));
        Assert.Equal(missing.Json.TryGetProperty("errors", out _), theirs.Json.TryGetProperty("errors", out _));
        (await owner.FetchAsync($"{SandboxCalls.Gifts}/{giftId}")).IsOk();
    }

    [Fact]
    public async Task Another_keys_gifts_are_not_listed()
    {
        var owner = _sandbox.FreshTenant();
        var other = _sandbox.FreshTenant();
        var ownerIds = new[] { await owner.NewGiftAsync("gold"), await owner.NewGiftAsync("bronze") };
        var otherId = await other.NewGiftAsync("silver");

        var ownerList = (await owner.ListAllGiftsAsync(100)).Select(g => g.Str("gift_id")).ToArray();
        var otherList = (await other.ListAllGiftsAsync(100)).Select(g => g.Str("gift_id")).ToArray();
        var otherGold = await other.ListAllGiftsAsync(100, "&tier=gold");

        Assert.Equal(ownerIds, ownerList);
        Assert.Equal(new[] { otherId }, otherList);
        Assert.Empty(otherGold);
    }

    [Fact]
    public async Task Another_keys_score_leaderboard_and_analytics_are_invisible()
    {
        var owner = _sandbox.FreshTenant();
        var other = _sandbox.FreshTenant();
        var giftId = await owner.NewGiftAsync("platinum");
        await owner.AddScoreAsync("carol", 900, "gift_redeemed", giftId);
        await owner.AddScoreAsync("dave", 300);

        (await other.GetScoreAsync("carol")).Is(404, "not-found");
        var board = await other.LeaderboardAsync(1000);
        Assert.Equal(0, board.Int("total"));
        Assert.Empty(board.GetProperty("entries").EnumerateArray());
        foreach (var metric in new[] { "gifts_redeemed", "points_awarded" })
        {
            var summary = (await other.CurrencyOkAsync(metric)).GetProperty("summary");
            Assert.Equal(0, summary.Int("total_gifts"));
            Assert.Equal(0, summary.Int("total_value"));
            Assert.Equal(0, summary.Int("unique_recipients"));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, summary.GetProperty("top_tier").ValueKind);
        }

        // The other tenant's own user of the same name starts from zero and ranks first there.
        var own = await other.AddScoreAsync("carol", 5);
        Assert.Equal(0, own.Int("previous"));
        Assert.Equal(1, own.Int("rank"));
        Assert.Equal(900, await owner.CurrentScoreAsync("carol"));
        Assert.Equal(2, (await owner.LeaderboardAsync()).Int("total"));
        Assert.Equal(1, (await other.LeaderboardAsync()).Int("total"));
    }

    [Fact]
    public async Task Redeeming_another_keys_gift_is_404_and_applies_nothing()
    {
        var owner = _sandbox.FreshTenant();
        var other = _sandbox.FreshTenant();
        var giftId = await owner.NewGiftAsync("gold");

        var answer = await other.ScoreAsync("erin", 100, "gift_redeemed", giftId);

        answer.Is(404, "not-found");
        Assert.Null(await other.CurrentScoreAsync("erin"));
        Assert.Equal(0, (await other.CurrencyOkAsync()).GetProperty("summary").Int("total_gifts"));
    }

    [Fact]
    public async Task K1_and_K2_are_separate_tenants()
    {
        var user = Ids.User("k1k2");
        await _sandbox.Client1.AddScoreAsync(user, 10);

        await _sandbox.Client2.AddScoreAsync(user, 3);

        Assert.Equal(10, await _sandbox.Client1.CurrentScoreAsync(user));
        Assert.Equal(3, await _sandbox.Client2.CurrentScoreAsync(user));
    }
}
