using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>What the client READS: the contract's literal example bodies from a raw server.</summary>
public sealed class ResponseTests
{
    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, DateTimeKind.Utc);

    private static async Task<T> Answer<T>(CannedResponse response, Func<SocialOsClient, Task<T>> call)
    {
        await using var server = new RawHttpServer(response);
        using var client = Clients.Create(server.BaseUri);
        return await call(client);
    }

    private static Task<SocialGift> Gift(CannedResponse response) =>
        Answer(response, c => c.CreateGiftAsync(new NewGiftRequest { Name = "Welcome Pack", Tier = "gold", Reward = 500, Badge = true }));

    private static Task<SocialTierScore> Score(CannedResponse response) =>
        Answer(response, c => c.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Value = 500 }));

    private static Task<CurrencyAuditReport> Audit(CannedResponse response) =>
        Answer(response, c => c.GetCurrencyAuditAsync("gifts_redeemed", "7d"));

    [Fact]
    public void The_request_examples_are_what_the_client_would_send()
    {
        // Sanity of the literal examples this file relies on.
        using var gift = JsonDocument.Parse(Examples.GiftRequest);
        Assert.True(gift.RootElement.GetProperty("badge").GetBoolean());
        using var score = JsonDocument.Parse(Examples.ScoreRequest);
        Assert.Equal("tier", score.RootElement.GetProperty("metric").GetString());
    }

    [Fact]
    public async Task The_gift_example_maps_every_field()
    {
        var gift = await Gift(CannedResponse.Json(200, Examples.Gift));

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal("Welcome Pack", gift.Name);
        Assert.Equal("gold", gift.Tier);
        Assert.Equal(500, gift.Reward);
        Assert.True(gift.BadgeIncluded);
        Assert.Equal(Utc(2026, 3, 20), gift.Expires);
        Assert.Equal(TimeSpan.Zero, gift.Expires!.Value.Offset);
        Assert.Equal(Utc(2026, 2, 20, 14), gift.CreatedAt);
        Assert.Equal(TimeSpan.Zero, gift.CreatedAt.Offset);
    }

    [Fact]
    public async Task Badge_included_false_is_read_from_badge_included_not_badge()
    {
        var gift = await Gift(CannedResponse.Json(200,
            """{ "gift_id": "gift_b", "name": "B", "tier": "bronze", "reward": 1, "badge": true, "badge_included": false, "expires": null, "created_at": "2026-02-20T14:00:00Z" }"""));

        Assert.False(gift.BadgeIncluded);
    }

    [Fact]
    public async Task Expires_json_null_or_absent_is_null()
    {
        var withNull = await Gift(CannedResponse.Json(200,
            """{ "gift_id": "gift_n", "name": "N", "tier": "gold", "reward": 5, "badge_included": false, "expires": null, "created_at": "2026-02-20T14:00:00Z" }"""));
        var absent = await Gift(CannedResponse.Json(200,
            """{ "gift_id": "gift_a", "name": "A", "tier": "gold", "reward": 5, "badge_included": false, "created_at": "2026-02-20T14:00:00Z" }"""));

        Assert.Null(withNull.Expires);
        Assert.Null(absent.Expires);
        Assert.Equal(Utc(2026, 2, 20, 14), withNull.CreatedAt);
    }

    [Fact]
    public async Task Any_2xx_is_success()
    {
        var gift = await Gift(CannedResponse.Json(201, Examples.Gift));

        Assert.Equal("gift_w3lc", gift.GiftId);
    }

    [Fact]
    public async Task Timestamps_with_an_offset_or_fraction_become_utc()
    {
        var gift = await Gift(CannedResponse.Json(200,
            """{ "gift_id": "gift_o", "name": "O", "tier": "gold", "reward": 5, "badge_included": true, "expires": "2026-03-20T02:00:00+02:00", "created_at": "2026-02-20T14:00:00.250Z" }"""));

        Assert.Equal(Utc(2026, 3, 20), gift.Expires);
        Assert.Equal(TimeSpan.Zero, gift.Expires!.Value.Offset);
        Assert.Equal(Utc(2026, 2, 20, 14).AddMilliseconds(250), gift.CreatedAt);
    }

    [Fact]
    public async Task The_score_example_maps_every_field()
    {
        var score = await Score(CannedResponse.Json(200, Examples.Score));

        Assert.Equal("alice.kred", score.UserId);
        Assert.Equal("tier", score.Metric);
        Assert.Equal(200, score.Previous);
        Assert.Equal(700, score.Current);
        Assert.Equal("gold", score.TierName);
        Assert.Equal(5, score.Rank);
        Assert.Equal(Utc(2026, 2, 20, 14, 5), score.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, score.UpdatedAt.Offset);
    }

    [Fact]
    public async Task The_audit_example_maps_the_summary_and_the_days_in_order()
    {
        var report = await Audit(CannedResponse.Json(200, Examples.Audit));

        var summary = report.Summary;
        Assert.Equal("currency", summary.Type);
        Assert.Equal("gifts_redeemed", summary.Metric);
        Assert.Equal("7d", summary.Window);
        Assert.Equal(142, summary.TotalGifts);
        Assert.Equal(28400, summary.TotalValue);
        Assert.Equal(98, summary.UniqueRecipients);
        Assert.Equal("gold", summary.TopTier);
        Assert.Equal(Utc(2026, 2, 19), summary.PeriodStart);
        Assert.Equal(Utc(2026, 2, 20), summary.PeriodEnd);
        Assert.Equal(DateTimeKind.Utc, summary.PeriodStart.Kind);
        Assert.Equal(DateTimeKind.Utc, summary.PeriodEnd.Kind);
        Assert.Equal(2, summary.Days);

        Assert.Equal(2, report.Days.Count);
        Assert.Equal(Utc(2026, 2, 20), report.Days[0].Date);
        Assert.Equal(23, report.Days[0].Count);
        Assert.Equal(4600, report.Days[0].Value);
        Assert.Equal(Utc(2026, 2, 19), report.Days[1].Date);
        Assert.Equal(19, report.Days[1].Count);
        Assert.Equal(3800, report.Days[1].Value);
        Assert.All(report.Days, d =>
        {
            Assert.Equal(DateTimeKind.Utc, d.Date.Kind);
            Assert.Equal(TimeSpan.Zero, d.Date.TimeOfDay);
            Assert.Equal("gifts_redeemed", d.Metric);
            Assert.Equal("7d", d.Window);
        });
    }

    [Fact]
    public async Task An_audit_without_redemptions_has_a_null_top_tier_and_zero_rows()
    {
        var report = await Audit(CannedResponse.Json(200,
            """{ "type": "currency", "metric": "points_awarded", "window": "24h", "summary": { "total_gifts": 0, "total_value": 0, "unique_recipients": 0, "top_tier": null }, "daily": [ { "date": "2026-02-20", "count": 0, "value": 0 }, { "date": "2026-02-19", "count": 0, "value": 0 } ] }"""));

        Assert.Null(report.Summary.TopTier);
        Assert.Equal(0, report.Summary.TotalGifts);
        Assert.Equal("points_awarded", report.Summary.Metric);
        Assert.Equal(new[] { Utc(2026, 2, 20), Utc(2026, 2, 19) }, report.Days.Select(d => d.Date).ToArray());
        Assert.All(report.Days, d => Assert.Equal("24h", d.Window));
    }

    [Fact]
    public async Task An_audit_with_no_daily_rows_has_zero_days()
    {
        var report = await Audit(CannedResponse.Json(200,
            """{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": { "total_gifts": 0, "total_value": 0, "unique_recipients": 0, "top_tier": null }, "daily": [] }"""));

        Assert.Empty(report.Days);
        Assert.Equal(0, report.Summary.Days);
    }

    [Fact]
    public async Task Unknown_extra_properties_are_ignored()
    {
        var gift = await Gift(CannedResponse.Json(200,
            """{ "gift_id": "gift_x", "links": { "self": "/v2/gamification/gifts/gift_x" }, "name": "X", "tier": "gold", "reward": 500, "badge_included": true, "expires": null, "created_at": "2026-02-20T14:00:00Z", "owner": null, "tags": [1, "two", { "three": 3 }], "GIFT_ID": "other", "version": 2.5 }"""));
        var score = await Score(CannedResponse.Json(200,
            """{ "userId": "alice.kred", "metric": "tier", "previous": 200, "current": 700, "tier_name": "gold", "tierName": "platinum", "rank": 5, "updated_at": "2026-02-20T14:05:00Z", "badges": ["early"] }"""));
        var audit = await Audit(CannedResponse.Json(200,
            """{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "generated_at": "2026-02-20T14:00:00Z", "summary": { "total_gifts": 1, "total_value": 2, "unique_recipients": 1, "top_tier": "gold", "median": 2 }, "daily": [ { "date": "2026-02-20", "count": 1, "value": 2, "tiers": { "gold": 1 } } ] }"""));

        Assert.Equal("gift_x", gift.GiftId);
        Assert.Equal(500, gift.Reward);
        Assert.Equal("gold", score.TierName);
        Assert.Equal(700, score.Current);
        Assert.Equal(1, audit.Summary.TotalGifts);
        Assert.Single(audit.Days);
    }
}
