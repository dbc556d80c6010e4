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
        var answer = await _sandbox.FreshTenant().FetchAsync($"{SandboxCalls.Analytics}?type=currency&metric=points_awarded");

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
        var answer = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Analytics}?type=currency&metric=gifts_redeemed&window={window}");

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
        var answer = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Analytics}?{query}");

        answer.IsValidation(field);
    }

    private static (long Count, long Value) Row(JsonElement audit, int index)
    {
        var row = audit.GetProperty("daily")[index];
        return (row.Int("count"), row.Int("value"));
    }

    private static (long Count, long Value, long Unique, string? Top) Summary(JsonElement audit)
    {
        var summary = audit.GetProperty("summary");
        return (summary.Int("total_gifts"), summary.Int("total_value"), summary.Int("unique_recipients"), summary.Str("top_tier"));
    }

    /// <summary>Events on three days: a sandbox whose clock starts at 2026-02-18T10:00Z and is moved
    /// to 2026-02-19T12:00Z, then to 2026-02-20T02:00Z. Windows take or leave the older events by the
    /// day and by the hour (past whole days, partial first days and today), and every row and
    /// summary is exact.</summary>
    [Fact]
    public async Task Windows_select_events_across_days_as_the_clock_moves()
    {
        await using var server = await InProcessSandbox.StartAsync(new SandboxStart { Now = "2026-02-18T10:00:00Z" });
        var k1 = server.Client("K1");
        var platinum = await k1.NewGiftAsync("platinum");
        await k1.AddScoreAsync("u1", 100, "gift_redeemed", platinum);     // platinum
        await k1.AddScoreAsync("u2", 50);                                 // adjustment, bronze
        await k1.AddScoreAsync("u4", 20, "gift_redeemed");                // bronze

        server.Advance(TimeSpan.FromHours(26));                           // 2026-02-19T12:00Z
        await k1.AddScoreAsync("u1", 7, "gift_redeemed");                 // u1 at 107: bronze
        await k1.AddScoreAsync("u5", 300);                                // adjustment, silver
        await k1.AddScoreAsync("u5", -100);                               // counted by neither metric

        server.Advance(TimeSpan.FromHours(14));                           // 2026-02-20T02:00Z
        await k1.AddScoreAsync("u1", 10, "gift_redeemed");                // bronze
        await k1.AddScoreAsync("u3", 5, "gift_redeemed");                 // bronze

        // gifts_redeemed: 18th (2, 120) by u1, u4; 19th (1, 7) by u1; 20th (2, 15) by u1, u3.
        var week = await k1.CurrencyOkAsync("gifts_redeemed", "7d");
        Assert.Equal(Days(Today, 7), week.GetProperty("daily").EnumerateArray().Select(r => r.Str("date")).ToArray());
        Assert.Equal((2L, 15L), Row(week, 0));
        Assert.Equal((1L, 7L), Row(week, 1));
        Assert.Equal((2L, 120L), Row(week, 2));
        Assert.All(week.GetProperty("daily").EnumerateArray().Skip(3), r => Assert.Equal(0, r.Int("count")));
        Assert.Equal((5L, 142L, 3L, "bronze"), Summary(week));
        AssertAddsUp(week);
        Assert.Equal((5L, 142L, 3L, "bronze"), Summary(await k1.CurrencyOkAsync("gifts_redeemed", "3d")));
        Assert.Equal((3L, 22L, 2L, "bronze"), Summary(await k1.CurrencyOkAsync("gifts_redeemed", "2d")));
        Assert.Equal((2L, 15L, 2L, "bronze"), Summary(await k1.CurrencyOkAsync("gifts_redeemed", "1d")));

        // Hour windows: 41h reaches back before 10:00 on the 18th, 39h starts after it.
        var h41 = await k1.CurrencyOkAsync("gifts_redeemed", "41h");
        Assert.Equal(Days(Today, 3), h41.GetProperty("daily").EnumerateArray().Select(r => r.Str("date")).ToArray());
        Assert.Equal((2L, 120L), Row(h41, 2));
        Assert.Equal((5L, 142L, 3L, "bronze"), Summary(h41));
        var h39 = await k1.CurrencyOkAsync("gifts_redeemed", "39h");
        Assert.Equal(Days(Today, 3), h39.GetProperty("daily").EnumerateArray().Select(r => r.Str("date")).ToArray());
        Assert.Equal((0L, 0L), Row(h39, 2));
        Assert.Equal((1L, 7L), Row(h39, 1));
        Assert.Equal((3L, 22L, 2L, "bronze"), Summary(h39));
        AssertAddsUp(h39);
        // 15h reaches back before 12:00 on the 19th, 13h starts after it.
        Assert.Equal((3L, 22L, 2L, "bronze"), Summary(await k1.CurrencyOkAsync("gifts_redeemed", "15h")));
        var h13 = await k1.CurrencyOkAsync("gifts_redeemed", "13h");
        Assert.Equal((0L, 0L), Row(h13, 1));
        Assert.Equal((2L, 15L, 2L, "bronze"), Summary(h13));
        var h5 = await k1.CurrencyOkAsync("gifts_redeemed", "5h");
        Assert.Equal(Days(Today, 2), h5.GetProperty("daily").EnumerateArray().Select(r => r.Str("date")).ToArray());
        Assert.Equal((2L, 15L, 2L, "bronze"), Summary(h5));

        // points_awarded: 18th (3, 170) u1 u2 u4; 19th (2, 307) u1 u5; 20th (2, 15) u1 u3.
        var awarded = await k1.CurrencyOkAsync("points_awarded", "7d");
        Assert.Equal((2L, 15L), Row(awarded, 0));
        Assert.Equal((2L, 307L), Row(awarded, 1));
        Assert.Equal((3L, 170L), Row(awarded, 2));
        Assert.Equal((7L, 492L, 5L, "bronze"), Summary(awarded));
        AssertAddsUp(awarded);
        Assert.Equal((4L, 322L, 3L, "bronze"), Summary(await k1.CurrencyOkAsync("points_awarded", "2d")));
        Assert.Equal((4L, 322L, 3L, "bronze"), Summary(await k1.CurrencyOkAsync("points_awarded", "39h")));

        Assert.Equal(117, await k1.CurrentScoreAsync("u1"));
        Assert.Equal(200, await k1.CurrentScoreAsync("u5"));
    }

    /// <summary>Summary and daily rows count the same events, and a window ends now. When the data
    /// file holds events later than the server's now (restarted with an earlier --now, e.g. a demo
    /// clock on a file used before), those events are in no window: unique_recipients must not
    /// count their users either.</summary>
    [Fact]
    public async Task Unique_recipients_counts_only_the_windows_events_when_the_file_has_later_ones()
    {
        using var data = new TempData();
        await using (var later = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-20T14:00:00Z" }))
        {
            await later.Client("K1").AddScoreAsync("future", 10, "gift_redeemed");
        }
        await using var earlier = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-10T14:00:00Z" });
        var client = earlier.Client("K1");

        foreach (var metric in new[] { "gifts_redeemed", "points_awarded" })
        {
            var audit = await client.CurrencyOkAsync(metric, "7d");
            var summary = audit.GetProperty("summary");
            Assert.Equal(0, summary.Int("total_gifts"));
            Assert.Equal(JsonValueKind.Null, summary.GetProperty("top_tier").ValueKind);
            Assert.True(summary.Int("unique_recipients") == 0,
                $"GET /v2/analytics?type=currency&metric={metric}&window=7d at 2026-02-10T14:00Z counts a recipient of no event in the window: {audit.GetRawText()}");
        }
    }
}
