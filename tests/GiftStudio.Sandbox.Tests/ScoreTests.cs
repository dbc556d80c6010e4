using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Part B score semantics: cumulative scores, tiers, competition rank, the refusals
/// (400, 404, 422) and what a giftId links.</summary>
public sealed class ScoreTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public ScoreTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Score_is_cumulative_and_tiers_follow_the_default_thresholds()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("tiers");
        (long Value, long Current, string Tier)[] steps =
        {
            (249, 249, "bronze"), (1, 250, "silver"), (249, 499, "silver"), (1, 500, "gold"),
            (499, 999, "gold"), (1, 1000, "platinum"), (5000, 6000, "platinum"), (-6000, 0, "bronze"),
        };
        long previous = 0;
        foreach (var (value, current, tier) in steps)
        {
            var score = await client.AddScoreAsync(user, value);
            Assert.Equal(previous, score.Int("previous"));
            Assert.Equal(current, score.Int("current"));
            Assert.Equal(previous + value, score.Int("current"));
            Assert.Equal(tier, score.Str("tier_name"));
            Assert.Equal(user, score.Str("userId"));
            Assert.Equal("tier", score.Str("metric"));
            previous = current;
        }
        var read = await client.GetScoreAsync(user);
        read.IsOk();
        Assert.Equal(0, read.Json.Int("current"));
        Assert.Equal("bronze", read.Json.Str("tier_name"));
    }

    [Fact]
    public async Task Published_example_200_then_500_is_700_gold()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("alice");
        var first = await client.AddScoreAsync(user, 200, "gift_redeemed");
        Assert.Equal("bronze", first.Str("tier_name"));

        var second = await client.AddScoreAsync(user, 500, "gift_redeemed");

        Assert.Equal(200, second.Int("previous"));
        Assert.Equal(700, second.Int("current"));
        Assert.Equal("gold", second.Str("tier_name"));
    }

    [Fact]
    public async Task Rank_is_competition_ranking_in_responses_reads_and_the_leaderboard()
    {
        var client = _sandbox.FreshTenant();
        var posted = new[] { ("u900", 900L), ("u700a", 700L), ("u700b", 700L), ("u500", 500L) };
        var ranks = new long[posted.Length];
        for (var i = 0; i < posted.Length; i++) ranks[i] = (await client.AddScoreAsync(posted[i].Item1, posted[i].Item2)).Int("rank");
        Assert.Equal(new long[] { 1, 2, 2, 4 }, ranks);

        foreach (var (user, expected) in new[] { ("u900", 1L), ("u700a", 2L), ("u700b", 2L), ("u500", 4L) })
        {
            var read = await client.GetScoreAsync(user);
            read.IsOk();
            Assert.Equal(expected, read.Json.Int("rank"));
        }

        var board = await client.LeaderboardAsync(10);
        Assert.Equal(4, board.Int("total"));
        var entries = board.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(new long[] { 1, 2, 2, 4 }, entries.Select(e => e.Int("rank")).ToArray());
        Assert.Equal(new long[] { 900, 700, 700, 500 }, entries.Select(e => e.Int("score")).ToArray());
        Assert.Equal("u900", entries[0].Str("userId"));
        Assert.Equal("u500", entries[3].Str("userId"));
        Assert.Equal(new[] { "u700a", "u700b" }, entries.Skip(1).Take(2).Select(e => e.Str("userId")).OrderBy(u => u, StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal("gold", e.Str("tier_name")));

        // A fifth user tied at 700 shares rank 2; the 500 falls to rank 5.
        Assert.Equal(2, (await client.AddScoreAsync("u700c", 700)).Int("rank"));
        Assert.Equal(5, (await client.GetScoreAsync("u500")).Json.Int("rank"));
        // Rising above everyone is rank 1.
        Assert.Equal(1, (await client.AddScoreAsync("u500", 1000)).Int("rank"));
    }

    [Fact]
    public async Task Adjustment_below_zero_is_422_and_leaves_the_score_unchanged()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("floor");
        await client.AddScoreAsync(user, 100);

        var answer = await client.ScoreAsync(user, -101);

        answer.Is(422, "unprocessable", "value");
        Assert.Equal(100, await client.CurrentScoreAsync(user));
        var exact = await client.AddScoreAsync(user, -100);
        Assert.Equal(0, exact.Int("current"));
        Assert.Equal("bronze", exact.Str("tier_name"));
    }

    [Fact]
    public async Task Negative_adjustment_for_a_user_without_score_is_422_and_creates_no_user()
    {
        var client = _sandbox.FreshTenant();
        var user = Ids.User("never");

        (await client.ScoreAsync(user, -1)).Is(422, "unprocessable", "value");

        Assert.Null(await client.CurrentScoreAsync(user));
        Assert.Equal(0, (await client.LeaderboardAsync()).Int("total"));
    }

    [Theory]
    [InlineData("gift_redeemed", 0)]
    [InlineData("gift_redeemed", -5)]
    [InlineData("adjustment", 0)]
    public async Task Value_not_allowed_for_the_action_is_400(string action, long value)
    {
        var client = _sandbox.Client1;
        var user = Ids.User("bad-value");
        await client.AddScoreAsync(user, 10);

        (await client.ScoreAsync(user, value, action)).IsValidation("value");

        Assert.Equal(10, await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Unknown_gift_id_is_404_and_applies_nothing()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("nogift");

        (await client.ScoreAsync(user, 50, "gift_redeemed", "gift_doesNotExist0")).Is(404, "not-found");

        Assert.Null(await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Gift_id_of_another_key_is_404_like_a_missing_one()
    {
        var theirs = await _sandbox.Client2.NewGiftAsync("platinum");
        var user = Ids.User("foreign");
        await _sandbox.Client1.AddScoreAsync(user, 5);

        (await _sandbox.Client1.ScoreAsync(user, 50, "gift_redeemed", theirs)).Is(404, "not-found");

        Assert.Equal(5, await _sandbox.Client1.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Gift_id_sets_the_redemption_tier_not_the_users_tier()
    {
        var client = _sandbox.FreshTenant();
        var bronze = await client.NewGiftAsync("bronze");
        var platinum = await client.NewGiftAsync("platinum");

        // 600 makes the user gold, but the redemption is of a bronze gift.
        var score = await client.AddScoreAsync("linked", 600, "gift_redeemed", bronze);
        Assert.Equal("gold", score.Str("tier_name"));
        var audit = await client.CurrencyOkAsync();
        Assert.Equal("bronze", audit.GetProperty("summary").Str("top_tier"));

        // Two platinum-gift redemptions by a bronze-tier user outnumber it.
        await client.AddScoreAsync("small", 1, "gift_redeemed", platinum);
        await client.AddScoreAsync("small", 1, "gift_redeemed", platinum);
        Assert.Equal("bronze", (await client.GetScoreAsync("small")).Json.Str("tier_name"));
        audit = await client.CurrencyOkAsync();
        Assert.Equal("platinum", audit.GetProperty("summary").Str("top_tier"));
        Assert.Equal(3, audit.GetProperty("summary").Int("total_gifts"));
    }

    [Fact]
    public async Task A_gift_past_its_expiry_is_422_on_redemption_and_leaves_the_active_list()
    {
        // The clock is moved, not waited for: the gift expires an hour after a --now, and the
        // sandbox's time is moved two hours on.
        await using var server = await InProcessSandbox.StartAsync(new SandboxStart { Now = "2026-02-20T14:00:00Z" });
        var client = server.Client("K1");
        var user = Ids.User("expiry");
        var probe = (await client.CreateGiftAsync("probe", "silver")).Json.Str("gift_id")!;
        var soon = await client.NewGiftAsync("gold", "2026-02-20T15:00:00Z");
        (await client.ScoreAsync(user, 10, "gift_redeemed", soon)).IsOk();
        Assert.Contains(soon, (await client.ListAllGiftsAsync(100, "&active=true")).Select(g => g.Str("gift_id")));

        server.Advance(TimeSpan.FromHours(2));

        var refused = await client.ScoreAsync(user, 10, "gift_redeemed", soon);
        refused.Is(422, "unprocessable", "giftId");
        Assert.Equal(10, await client.CurrentScoreAsync(user));
        var active = (await client.ListAllGiftsAsync(100, "&active=true")).Select(g => g.Str("gift_id")).ToList();
        var expired = (await client.ListAllGiftsAsync(100, "&active=false")).Select(g => g.Str("gift_id")).ToList();
        Assert.DoesNotContain(soon, active);
        Assert.Contains(probe, active);
        Assert.Equal(new[] { soon }, expired);
    }
}
