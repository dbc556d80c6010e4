using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Part A: the published example requests, byte for byte, give 200 with exactly the
/// published shapes. The server's clock starts at the examples' instant (2026-02-20T14:00:00Z).</summary>
public sealed class WireFormatTests : IClassFixture<ExampleClockSandbox>
{
    private const string GiftExample = """
        { "name": "Welcome Pack", "tier": "gold", "reward": 500, "badge": true,
          "expires": "2026-03-20T00:00:00Z" }
        """;

    private const string ScoreExample = """
        { "userId": "alice.kred", "metric": "tier", "action": "gift_redeemed", "value": 500 }
        """;

    private readonly ExampleClockSandbox _sandbox;

    public WireFormatTests(ExampleClockSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Create_gift_example_answers_the_published_shape()
    {
        var answer = await _sandbox.FreshTenant().PostJsonAsync(SandboxCalls.Gifts, GiftExample);

        answer.IsOk();
        Assert.Equal("application/json", answer.MediaType);
        var gift = answer.Json;
        Shape.Gift(gift);
        var id = gift.Str("gift_id")!;
        Assert.StartsWith("gift_", id, StringComparison.Ordinal);
        Assert.True(id.Length > 5 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), $"gift id '{id}' is not URL-safe");
        Assert.Equal(id, Uri.EscapeDataString(id));
        Assert.Equal("Welcome Pack", gift.Str("name"));
        Assert.Equal("gold", gift.Str("tier"));
        Assert.Equal(500, gift.Int("reward"));
        Assert.True(gift.GetProperty("badge_included").GetBoolean());
        Assert.False(gift.TryGetProperty("badge", out _), "the response says badge_included, not badge");
        Assert.Equal("2026-03-20T00:00:00Z", gift.Str("expires"));
        var created = Shape.Instant(gift.GetProperty("created_at"));
        var start = DateTimeOffset.Parse(ExampleClockSandbox.Start, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, start, start.AddMinutes(10));
    }

    [Fact]
    public async Task Gift_without_expires_and_badge_never_expires_and_has_no_badge()
    {
        var answer = await _sandbox.FreshTenant().PostJsonAsync(SandboxCalls.Gifts, """{"name":"Plain","tier":"bronze","reward":1}""");

        answer.IsOk();
        Shape.Gift(answer.Json);
        Assert.Equal(JsonValueKind.Null, answer.Json.GetProperty("expires").ValueKind);
        Assert.False(answer.Json.GetProperty("badge_included").GetBoolean());
    }

    [Fact]
    public async Task Score_example_200_to_700_answers_the_published_shape()
    {
        var client = _sandbox.FreshTenant();
        var first = await client.PostJsonAsync(SandboxCalls.Score, """{ "userId": "alice.kred", "metric": "tier", "action": "gift_redeemed", "value": 200 }""");
        first.IsOk();

        var answer = await client.PostJsonAsync(SandboxCalls.Score, ScoreExample);

        answer.IsOk();
        Assert.Equal("application/json", answer.MediaType);
        var score = answer.Json;
        Shape.Score(score);
        Assert.Equal("alice.kred", score.Str("userId"));
        Assert.Equal("tier", score.Str("metric"));
        Assert.Equal(200, score.Int("previous"));
        Assert.Equal(700, score.Int("current"));
        Assert.Equal("gold", score.Str("tier_name"));
        Assert.Equal(1, score.Int("rank"));
        Assert.True(Shape.Instant(score.GetProperty("updated_at")) >= Shape.Instant(first.Json.GetProperty("updated_at")));
    }

    [Fact]
    public async Task Analytics_example_answers_the_published_shape()
    {
        var client = _sandbox.FreshTenant();
        await client.AddScoreAsync("alice.kred", 200, "gift_redeemed");
        await client.AddScoreAsync("alice.kred", 500, "gift_redeemed");

        var answer = await client.FetchAsync("/v2/analytics?type=currency&metric=gifts_redeemed&window=7d");

        answer.IsOk();
        var audit = answer.Json;
        Shape.Currency(audit);
        Assert.Equal("currency", audit.Str("type"));
        Assert.Equal("gifts_redeemed", audit.Str("metric"));
        Assert.Equal("7d", audit.Str("window"));
        var summary = audit.GetProperty("summary");
        Assert.Equal(2, summary.Int("total_gifts"));
        Assert.Equal(700, summary.Int("total_value"));
        Assert.Equal(1, summary.Int("unique_recipients"));
        // The two redemptions were bronze (at 200) and gold (at 700): a tie goes to the higher tier.
        Assert.Equal("gold", summary.Str("top_tier"));
        var daily = audit.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(7, daily.Count);
        Assert.Equal("2026-02-20", daily[0].Str("date"));
        Assert.Equal(2, daily[0].Int("count"));
        Assert.Equal(700, daily[0].Int("value"));
    }

    [Fact]
    public async Task Extension_routes_answer_their_published_shapes()
    {
        var client = _sandbox.FreshTenant();
        var giftId = await client.NewGiftAsync("silver");
        await client.AddScoreAsync("bob", 900, "gift_redeemed", giftId);

        var page = await client.FetchAsync(SandboxCalls.Gifts);
        page.IsOk();
        Shape.GiftPage(page.Json);
        Assert.Equal(JsonValueKind.Null, page.Json.GetProperty("next_cursor").ValueKind);

        var one = await client.FetchAsync($"{SandboxCalls.Gifts}/{giftId}");
        one.IsOk();
        Shape.Gift(one.Json);

        var score = await client.FetchAsync($"{SandboxCalls.Score}/bob?metric=tier");
        score.IsOk();
        Shape.Score(score.Json);
        Assert.Equal(900, score.Json.Int("previous"));
        Assert.Equal(900, score.Json.Int("current"));

        var board = await client.LeaderboardAsync(10);
        Shape.Leaderboard(board);
        Assert.Equal("leaderboard", board.Str("type"));
        Assert.Equal("tier", board.Str("metric"));
        Assert.Equal(1, board.Int("total"));
        var entry = Assert.Single(board.GetProperty("entries").EnumerateArray());
        Assert.Equal(1, entry.Int("rank"));
        Assert.Equal("bob", entry.Str("userId"));
        Assert.Equal(900, entry.Int("score"));
        Assert.Equal("gold", entry.Str("tier_name"));
    }

    [Fact]
    public async Task Health_answers_200()
    {
        var answer = await _sandbox.Server.Anonymous.FetchAsync("/health");
        answer.IsOk();
    }
}
