using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Currency analytics on a server whose clock starts at 2026-02-20T02:00:00Z: windows in
/// whole UTC days, daily rows newest first and zero-filled, what each metric counts, top_tier.</summary>
public sealed class AnalyticsTests : IClassFixture<EarlyMorningSandbox>
{
    private const string Today = "2026-02-20";
    private readonly EarlyMorningSandbox _sandbox;

    public AnalyticsTests(EarlyMorningSandbox sandbox) => _sandbox = sandbox;

    private static string[] Days(string newest, int count) =>
        Enumerable.Range(0, count)
            .Select(i => DateOnly.ParseExact(newest, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToArray();

    private static void AssertAddsUp(JsonElement audit)
    {
        var daily = audit.GetProperty("daily").EnumerateArray().ToList();
        var summary = audit.GetProperty("summary");
        Assert.Equal(summary.Int("total_gifts"), daily.Sum(d => d.Int("count")));
        Assert.Equal(summary.Int("total_value"), daily.Sum(d => d.Int("value")));
    }

    [Theory]
    [InlineData("7d", 7)]
    [InlineData("1d", 1)]
    [InlineData("2d", 2)]
    [InlineData("30d", 30)]
    [InlineData("365d", 365)]
    [InlineData("1h", 1)]
    [InlineData("2h", 1)]
    [InlineData("5h", 2)]
    [InlineData("24h", 2)]
    [InlineData("26h", 2)]
    [InlineData("27h", 3)]
    [InlineData("8760h", 366)]
    public async Task Window_lists_every_utc_day_it_touches_newest_first_zero_filled(string window, int days)
    {
        var client = _sandbox.FreshTenant();

        var audit = await client.CurrencyOkAsync("gifts_redeemed", window);

        Shape.Currency(audit);
        Assert.Equal(window, audit.Str("window"));
        var daily = audit.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(Days(Today, days), daily.Select(d => d.Str("date")).ToArray());
        Assert.All(daily, d => Assert.Equal(0, d.Int("count")));
        Assert.All(daily, d => Assert.Equal(0, d.Int("value")));
        var summary = audit.GetProperty("summary");
        Assert.Equal(0, summary.Int("total_gifts"));
        Assert.Equal(0, summary.Int("total_value"));
        Assert.Equal(0, summary.Int("unique_recipients"));
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("top_tier").ValueKind);
    }

    [Fact]
    public async Task Missing_window_means_7d()
    {
        var answer = await _sandbox.FreshTenant().FetchAsync($"{Api.Analytics}?type=currency&metric=points_awarded");

        answer.IsOk();
        Assert.Equal(7, answer.Json.GetProperty("daily").GetArrayLength());
    }

    [Fact]
    public async Task Metrics_count_what_the_contract_says()
    {
        var client = _sandbox.FreshTenant();
        var bronzeGift = await client.NewGiftAsync("bronze");
        var goldGift = await client.NewGiftAsync("gold");
        await client.AddScoreAsync("u1", 100, "gift_redeemed", goldGift);   // redemption, gold gift
        await client.AddScoreAsync("u2", 50, "gift_redeemed", bronzeGift);  // redemption, bronze gift
        await client.AddScoreAsync("u2", 30, "gift_redeemed", bronzeGift);  // redemption, bronze gift
        await client.AddScoreAsync("u1", 400);                              // positive adjustment; u1 at 500: gold
        await client.AddScoreAsync("u1", -200);                             // negative: counted by neither
        await client.AddScoreAsync("u3", 1000);                             // positive adjustment; platinum
        (await client.ScoreAsync("u3", -5000)).Is(422);                     // refused: counted by neither
        (await client.ScoreAsync("u4", 5, "gift_redeemed", "gift_unknown0000")).Is(404);

        foreach (var window in new[] { "7d", "1d", "1h", "5h" })
        {
            var redeemed = await client.CurrencyOkAsync("gifts_redeemed", window);
            Assert.Equal("gifts_redeemed", redeemed.Str("metric"));
            var summary = redeemed.GetProperty("summary");
            Assert.Equal(3, summary.Int("total_gifts"));
            Assert.Equal(180, summary.Int("total_value"));
            Assert.Equal(2, summary.Int("unique_recipients"));
            Assert.Equal("bronze", summary.Str("top_tier"));
            var today = redeemed.GetProperty("daily")[0];
            Assert.Equal(Today, today.Str("date"));
            Assert.Equal(3, today.Int("count"));
            Assert.Equal(180, today.Int("value"));
            AssertAddsUp(redeemed);

            var awarded = await client.CurrencyOkAsync("points_awarded", window);
            Assert.Equal("points_awarded", awarded.Str("metric"));
            summary = awarded.GetProperty("summary");
            Assert.Equal(5, summary.Int("total_gifts"));
            Assert.Equal(1580, summary.Int("total_value"));
            Assert.Equal(3, summary.Int("unique_recipients"));
            // gold (gold gift), bronze, bronze, gold (u1's tier after +400), platinum: a tie goes to the higher tier.
            Assert.Equal("gold", summary.Str("top_tier"));
            Assert.Equal(5, awarded.GetProperty("daily")[0].Int("count"));
            AssertAddsUp(awarded);
        }
    }

    [Fact]
    public async Task Only_adjustments_leave_gifts_redeemed_empty_with_null_top_tier()
    {
        var client = _sandbox.FreshTenant();
        await client.AddScoreAsync("adj", 300);

        var redeemed = await client.CurrencyOkAsync("gifts_redeemed");
        var awarded = await client.CurrencyOkAsync("points_awarded");

        Assert.Equal(0, redeemed.GetProperty("summary").Int("total_gifts"));
        Assert.Equal(JsonValueKind.Null, redeemed.GetProperty("summary").GetProperty("top_tier").ValueKind);
        Assert.Equal(1, awarded.GetProperty("summary").Int("total_gifts"));
        Assert.Equal("silver", awarded.GetProperty("summary").Str("top_tier"));
    }

    [Theory]
    [InlineData("bronze", "gold")]
    [InlineData("gold", "bronze")]
    [InlineData("platinum", "silver")]
    [InlineData("silver", "platinum")]
    public async Task Top_tier_tie_goes_to_the_higher_tier_whatever_the_order(string first, string second)
    {
        var client = _sandbox.FreshTenant();
        await client.AddScoreAsync("a", 10, "gift_redeemed", await client.NewGiftAsync(first));
        await client.AddScoreAsync("b", 10, "gift_redeemed", await client.NewGiftAsync(second));
        var higher = Array.IndexOf(new[] { "bronze", "silver", "gold", "platinum" }, first) >
                     Array.IndexOf(new[] { "bronze", "silver", "gold", "platinum" }, second) ? first : second;

        var audit = await client.CurrencyOkAsync();

        Assert.Equal(higher, audit.GetProperty("summary").Str("top_tier"));
    }

    [Fact]
    public async Task Most_frequent_tier_beats_a_higher_one()
    {
        var client = _sandbox.FreshTenant();
        var silver = await client.NewGiftAsync("silver");
        var platinum = await client.NewGiftAsync("platinum");
        await client.AddScoreAsync("a", 1, "gift_redeemed", platinum);
        await client.AddScoreAsync("b", 1, "gift_redeemed", silver);
        await client.AddScoreAsync("c", 1, "gift_redeemed", silver);

        Assert.Equal("silver", (await client.CurrencyOkAsync()).GetProperty("summary").Str("top_tier"));
    }

    [Fact]
    public async Task Unique_recipients_counts_users_not_events()
    {
        var client = _sandbox.FreshTenant();
        for (var i = 0; i < 5; i++) await client.AddScoreAsync("same", 1, "gift_redeemed");
        await client.AddScoreAsync("other", 1, "gift_redeemed");

        var summary = (await client.CurrencyOkAsync()).GetProperty("summary");

        Assert.Equal(6, summary.Int("total_gifts"));
        Assert.Equal(2, summary.Int("unique_recipients"));
    }

    [Theory]
    [InlineData("0d")]
    [InlineData("366d")]
    [InlineData("0h")]
    [InlineData("8761h")]
    [InlineData("7w")]
    [InlineData("7D")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("-1d")]
    [InlineData("+1d")]
    [InlineData("1.5d")]
    [InlineData("%207d")]
    [InlineData("99999999999d")]
    public async Task Bad_window_is_400_naming_window(string window)
    {
        var answer = await _sandbox.Client1.FetchAsync($"{Api.Analytics}?type=currency&metric=gifts_redeemed&window={window}");

        answer.IsValidation("window");
    }

    [Theory]
    [InlineData("", "type")]
    [InlineData("type=", "type")]
    [InlineData("type=revenue&metric=gifts_redeemed", "type")]
    [InlineData("type=Currency&metric=gifts_redeemed", "type")]
    [InlineData("type=currency", "metric")]
    [InlineData("type=currency&metric=tier", "metric")]
    [InlineData("type=currency&metric=Gifts_Redeemed", "metric")]
    [InlineData("type=currency&metric=points", "metric")]
    [InlineData("type=leaderboard&metric=points_awarded", "metric")]
    public async Task Bad_type_or_metric_is_400_naming_it(string query, string field)
    {
        var answer = await _sandbox.Client1.FetchAsync($"{Api.Analytics}?{query}");

        answer.IsValidation(field);
    }

    /// <summary>Events on two days: one server at 2026-02-18T10:00Z, then a second on the same data
    /// file at 2026-02-20T02:00Z. Windows include or exclude the older events by the hour and by
    /// the day, and the older day's row carries them.</summary>
    [Fact]
    public async Task Windows_select_events_across_days_and_restarts()
    {
        using var data = new TempData();
        await using (var before = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-18T10:00:00Z" }))
        {
            var client = before.Client("K1");
            var gift = await client.NewGiftAsync("platinum");
            await client.AddScoreAsync("u1", 100, "gift_redeemed", gift);
            await client.AddScoreAsync("u2", 50);
        }

        await using var after = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-20T02:00:00Z" });
        var k1 = after.Client("K1");
        await k1.AddScoreAsync("u1", 10, "gift_redeemed");
        await k1.AddScoreAsync("u3", 5, "gift_redeemed");

        var week = await k1.CurrencyOkAsync("gifts_redeemed", "7d");
        var rows = week.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(Days(Today, 7), rows.Select(r => r.Str("date")).ToArray());
        Assert.Equal((2L, 15L), (rows[0].Int("count"), rows[0].Int("value")));
        Assert.Equal((0L, 0L), (rows[1].Int("count"), rows[1].Int("value")));
        Assert.Equal((1L, 100L), (rows[2].Int("count"), rows[2].Int("value")));
        Assert.All(rows.Skip(3), r => Assert.Equal(0, r.Int("count")));
        Assert.Equal(3, week.GetProperty("summary").Int("total_gifts"));
        Assert.Equal(115, week.GetProperty("summary").Int("total_value"));
        Assert.Equal(2, week.GetProperty("summary").Int("unique_recipients"));
        AssertAddsUp(week);

        var awarded = (await k1.CurrencyOkAsync("points_awarded", "7d")).GetProperty("summary");
        Assert.Equal(4, awarded.Int("total_gifts"));
        Assert.Equal(165, awarded.Int("total_value"));
        Assert.Equal(3, awarded.Int("unique_recipients"));

        // 2d = the 19th and the 20th: the 18th's redemption is out.
        var twoDays = await k1.CurrencyOkAsync("gifts_redeemed", "2d");
        Assert.Equal(2, twoDays.GetProperty("summary").Int("total_gifts"));
        Assert.Equal(15, twoDays.GetProperty("summary").Int("total_value"));
        AssertAddsUp(twoDays);
        // 3d reaches back to 00:00 on the 18th.
        Assert.Equal(3, (await k1.CurrencyOkAsync("gifts_redeemed", "3d")).GetProperty("summary").Int("total_gifts"));

        // 39h starts at ~11:00 on the 18th, after that redemption: three rows, the oldest empty.
        var h39 = await k1.CurrencyOkAsync("gifts_redeemed", "39h");
        var h39Rows = h39.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(Days(Today, 3), h39Rows.Select(r => r.Str("date")).ToArray());
        Assert.Equal(0, h39Rows[2].Int("count"));
        Assert.Equal(2, h39.GetProperty("summary").Int("total_gifts"));
        Assert.Equal(2, h39.GetProperty("summary").Int("unique_recipients"));
        AssertAddsUp(h39);
        // 41h starts at ~09:00 on the 18th, before it.
        var h41 = await k1.CurrencyOkAsync("gifts_redeemed", "41h");
        Assert.Equal(1, h41.GetProperty("daily")[2].Int("count"));
        Assert.Equal(115, h41.GetProperty("summary").Int("total_value"));
        // platinum (the gift) once; bronze (no giftId, u1 and u3 at bronze scores) twice.
        Assert.Equal("bronze", h41.GetProperty("summary").Str("top_tier"));
        AssertAddsUp(h41);
        // 5h: only today's events, two rows.
        var h5 = await k1.CurrencyOkAsync("gifts_redeemed", "5h");
        Assert.Equal(Days(Today, 2), h5.GetProperty("daily").EnumerateArray().Select(r => r.Str("date")).ToArray());
        Assert.Equal(2, h5.GetProperty("summary").Int("total_gifts"));

        Assert.Equal(110, await k1.CurrentScoreAsync("u1"));
    }
}
