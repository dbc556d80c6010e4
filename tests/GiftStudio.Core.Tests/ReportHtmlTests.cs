using System;
using System.Globalization;
using System.Linq;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using GiftStudio.Reports;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The HTML report, parsed with a real HTML5 parser (AngleSharp).</summary>
public sealed class ReportHtmlTests
{
    internal const string Hostile = "<script>alert('x')</script><img src=\"https://evil.example/p.png\" onerror=\"alert(1)\">";

    /// <summary>A 21-day report (day 11 = 2026-11-12 is a spike) with a previous window, the
    /// leaderboard and two expiring campaigns, one of them with a hostile name.</summary>
    internal static CurrencyReport Sample(bool comparison = true)
    {
        var metrics = StrictInput.Metrics.Select((metric, m) =>
        {
            var counts = AnomalyTests.Quiet(21);
            counts[10] = 400;
            var days = AnomalyTests.Series(counts, counts.Select(c => c * (100 + 50 * m)).ToArray());
            foreach (var day in days) day.Metric = metric;
            CurrencyAnomalies.Annotate(days, hourWindow: false);
            var summary = new SocialCurrencyAudit
            {
                Type = "currency",
                Metric = metric,
                Window = "21d",
                TotalGifts = days.Sum(d => d.Count),
                TotalValue = days.Sum(d => d.Value),
                UniqueRecipients = 77 + m,
                TopTier = "gold",
                PeriodStart = AnomalyTests.FirstDay,
                PeriodEnd = AnomalyTests.FirstDay.AddDays(20),
                Days = 21,
            };
            return new CurrencyReportMetric(summary, days.AsEnumerable().Reverse().ToList(),
                comparison ? summary.TotalGifts * 4 / 5 : null, comparison ? summary.TotalValue * 5 / 4 : null);
        }).ToList();
        var board = new Leaderboard(new[]
        {
            new SocialLeaderboardEntry { Rank = 1, UserId = "wen.khan", Score = 13750, TierName = "platinum" },
            new SocialLeaderboardEntry { Rank = 2, UserId = "emma.berg", Score = 7115, TierName = "platinum" },
            new SocialLeaderboardEntry { Rank = 2, UserId = "quinn.tanaka", Score = 7115, TierName = "platinum" },
        }, 200);
        var generated = AnomalyTests.FirstDay.AddDays(20).AddHours(9.5);
        var expiring = new[]
        {
            new SocialGift { GiftId = "gift_soon1", Name = "Winter Pack", Tier = "silver", Reward = 250, Expires = generated.AddDays(2) },
            new SocialGift { GiftId = "gift_soon2", Name = Hostile, Tier = "gold", Reward = 500, Expires = generated.AddDays(6) },
        };
        return new CurrencyReport("127.0.0.1:5080", "21d", generated, metrics, board, expiring,
            comparison ? null : "No comparison with the previous window: it needs 730 days of daily rows, and the API gives at most 365.", 3.5);
    }

    internal static IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    private static double WidthPercent(IElement cell)
    {
        var attribute = cell.GetAttribute("width")!;
        Assert.EndsWith("%", attribute);
        var style = cell.GetAttribute("style")!;
        Assert.Contains("width:" + attribute, style);
        return double.Parse(attribute.TrimEnd('%'), CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_structure_has_every_section()
    {
        var report = Sample();
        var html = CurrencyReportHtml.Render(report);
        var document = Parse(html);

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal("en", document.DocumentElement.GetAttribute("lang"));
        Assert.Equal("utf-8", document.QuerySelector("meta[charset]")!.GetAttribute("charset"));
        Assert.Contains("21d", document.Title);
        var meta = document.QuerySelector("#meta")!.TextContent;
        Assert.Contains("127.0.0.1:5080", meta);
        Assert.Contains("window 21d (2026-11-02 to 2026-11-22, UTC days)", meta);
        Assert.Contains("generated 2026-11-22 09:30 UTC", meta);

        foreach (var metric in StrictInput.Metrics)
        {
            var totals = document.QuerySelector($"table#totals-{metric}")!;
            Assert.Equal(metric, totals.QuerySelector("caption")!.TextContent);
            var rows = totals.QuerySelectorAll("tbody tr").Select(r => r.Children.Select(c => c.TextContent).ToArray()).ToArray();
            Assert.Equal(new[] { "Count", "Value", "Unique recipients", "Top tier" }, rows.Select(r => r[0]));
            var summary = report.Metrics.Single(m => m.Summary.Metric == metric).Summary;
            Assert.Equal(summary.TotalGifts.ToString("N0", CultureInfo.InvariantCulture), rows[0][1]);
            var previous = report.Metrics.Single(m => m.Summary.Metric == metric);
            Assert.Equal(previous.PreviousCount!.Value.ToString("N0", CultureInfo.InvariantCulture), rows[0][2]);
            var countChange = (summary.TotalGifts - previous.PreviousCount.Value) * 100.0 / previous.PreviousCount.Value;
            var valueChange = (previous.PreviousValue!.Value - summary.TotalValue) * 100.0 / previous.PreviousValue.Value;
            Assert.Equal("▲ +" + countChange.ToString("0.0", CultureInfo.InvariantCulture) + " %", rows[0][3]);   // previous ≈ 4/5 of this window
            Assert.Equal("▼ −" + valueChange.ToString("0.0", CultureInfo.InvariantCulture) + " %", rows[1][3]);   // previous ≈ 5/4 of this window
            Assert.Equal("gold", rows[3][1]);

            var chart = document.QuerySelectorAll($"table#chart-{metric} > tbody > tr");
            var table = document.QuerySelectorAll($"table#daily-{metric} tbody tr");
            var dates = Enumerable.Range(0, 21).Select(i => AnomalyTests.FirstDay.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(dates, chart.Select(r => r.GetAttribute("data-date")));
            Assert.Equal(dates, table.Select(r => r.GetAttribute("data-date")));
            // The table beside the chart carries the same numbers.
            var days = report.Metrics.Single(m => m.Summary.Metric == metric).Days;
            Assert.Equal(days.Select(d => d.Count.ToString("N0", CultureInfo.InvariantCulture)), table.Select(r => r.Children[1].TextContent));
            Assert.Equal(days.Select(d => d.Value.ToString("N0", CultureInfo.InvariantCulture)), table.Select(r => r.Children[2].TextContent));
            Assert.EndsWith("(partial)", table.Last().Children[0].TextContent);
            Assert.Equal("true", document.QuerySelector($"table#chart-{metric}")!.GetAttribute("aria-hidden"));
        }

        var leaders = document.QuerySelectorAll("table#leaderboard tbody tr").Select(r => string.Join("|", r.Children.Select(c => c.TextContent))).ToArray();
        Assert.Equal(new[] { "1|wen.khan|13,750|platinum", "2|emma.berg|7,115|platinum", "2|quinn.tanaka|7,115|platinum" }, leaders);
        Assert.Contains("Top 3 of 200", document.QuerySelector("table#leaderboard caption")!.TextContent);

        var expiring = document.QuerySelectorAll("table#expiring tbody tr").ToArray();
        Assert.Equal(2, expiring.Length);
        Assert.Equal("2026-11-24 09:30", expiring[0].Children[0].TextContent);
        Assert.Equal("gift_soon1", expiring[0].Children[1].TextContent);
    }

    [Fact]
    public void Bars_are_proportional_to_the_values()
    {
        var document = Parse(CurrencyReportHtml.Render(Sample()));
        foreach (var kind in new[] { "count", "value" })
        {
            var bars = document.QuerySelectorAll($"table#chart-gifts_redeemed td.bar.{kind}").ToArray();
            Assert.Equal(21, bars.Length);
            var values = bars.Select(b => long.Parse(b.GetAttribute("data-value")!, CultureInfo.InvariantCulture)).ToArray();
            var peak = values.Max();
            foreach (var (bar, value) in bars.Zip(values))
                Assert.Equal(value * 100.0 / peak, WidthPercent(bar), 1);
            Assert.Equal(100, WidthPercent(bars[Array.IndexOf(values, peak)]));
        }
        // The data-value agrees with the table's number for that day.
        var tableCounts = document.QuerySelectorAll("table#daily-gifts_redeemed tbody tr").Select(r => r.Children[1].TextContent.Replace(",", "")).ToArray();
        Assert.Equal(tableCounts, document.QuerySelectorAll("table#chart-gifts_redeemed td.bar.count").Select(b => b.GetAttribute("data-value")));
    }

    [Fact]
    public void The_anomaly_is_marked_on_the_right_day_in_chart_and_table()
    {
        var document = Parse(CurrencyReportHtml.Render(Sample()));
        foreach (var metric in StrictInput.Metrics)
        {
            var flaggedChart = document.QuerySelectorAll($"table#chart-{metric} tr[data-anomaly]").ToArray();
            var flaggedRow = Assert.Single(flaggedChart);
            Assert.Equal("2026-11-12", flaggedRow.GetAttribute("data-date"));
            Assert.Equal("High", flaggedRow.GetAttribute("data-anomaly"));
            Assert.Equal("▲ High", flaggedRow.QuerySelector("td.mark")!.TextContent);
            Assert.All(document.QuerySelectorAll($"table#chart-{metric} tr:not([data-anomaly]) td.mark"), m => Assert.Equal("", m.TextContent));

            var tableRow = Assert.Single(document.QuerySelectorAll($"table#daily-{metric} tr[data-anomaly]"));
            Assert.Equal("2026-11-12", tableRow.GetAttribute("data-date"));
            Assert.Equal("▲ High (Count, Value)", tableRow.Children[5].TextContent);
        }
    }

    [Fact]
    public void Each_judged_day_shows_its_expected_count_and_expected_value_in_whole_units()
    {
        var report = Sample();
        var document = Parse(CurrencyReportHtml.Render(report));
        foreach (var metric in report.Metrics)
        {
            var head = document.QuerySelectorAll($"table#daily-{metric.Summary.Metric} thead th").Select(h => h.TextContent).ToArray();
            Assert.Equal(new[] { "Date", "Count", "Value", "Exp. count", "Exp. value", "Anomaly" }, head);
            var rows = document.QuerySelectorAll($"table#daily-{metric.Summary.Metric} tbody tr").ToArray();
            Assert.Equal(metric.Days.Count, rows.Length);
            foreach (var (day, row) in metric.Days.Zip(rows))
            {
                Assert.Equal(day.ExpectedCount is double c ? Math.Round(c, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture) : "", row.Children[3].TextContent);
                Assert.Equal(day.ExpectedValue is double v ? Math.Round(v, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture) : "", row.Children[4].TextContent);
                Assert.DoesNotContain(".", row.Children[3].TextContent + row.Children[4].TextContent);
            }
        }
        // The flagged day's expectation is there, for the value flag as for the count.
        var spike = report.Metrics[1].Days.Single(d => d.Anomaly != null);
        Assert.NotNull(spike.ExpectedValue);
        Assert.Contains(report.Metrics.SelectMany(m => m.Days), d => d.ExpectedCount is double e && e != Math.Floor(e));
    }

    [Fact]
    public void Weekends_are_shaded_and_weekdays_are_not()
    {
        var document = Parse(CurrencyReportHtml.Render(Sample()));
        foreach (var row in document.QuerySelectorAll("table#chart-points_awarded > tbody > tr, table#daily-points_awarded tbody tr"))
        {
            var date = DateTime.ParseExact(row.GetAttribute("data-date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            Assert.Equal(weekend, row.ClassList.Contains("weekend"));
            Assert.Equal(weekend, (row.GetAttribute("style") ?? "").Contains("background:" + CurrencyReportHtml.WeekendShade));
        }
    }

    [Fact]
    public void Nothing_runs_and_nothing_is_fetched()
    {
        var html = CurrencyReportHtml.Render(Sample());
        var document = Parse(html);

        Assert.Empty(document.QuerySelectorAll("script, noscript, link, img, iframe, frame, object, embed, style, form, svg, video, audio, base"));
        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"<{element.LocalName} {attribute.Name}> is an event handler.");
                Assert.DoesNotContain(attribute.Name, new[] { "src", "href", "srcset", "action", "background", "poster", "data" });
                var value = attribute.Value.ToLowerInvariant();
                foreach (var external in new[] { "://", "//", "url(", "@import", "javascript:", "data:" })
                    Assert.False(value.Contains(external), $"<{element.LocalName} {attribute.Name}=\"{attribute.Value}\"> refers to something outside.");
            }
        }
        // And not in the text either: the only address is the connection's host, without a scheme.
        Assert.DoesNotContain("http", document.Body!.TextContent.Replace(Hostile, ""), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void User_text_is_encoded_not_interpreted()
    {
        var document = Parse(CurrencyReportHtml.Render(Sample()));
        var name = document.QuerySelectorAll("table#expiring tbody tr")[1].Children[2];
        Assert.Equal(Hostile, name.TextContent);
        Assert.Empty(name.Children);
    }

    [Fact]
    public void Without_a_previous_window_the_report_says_why()
    {
        var document = Parse(CurrencyReportHtml.Render(Sample(comparison: false)));
        var rows = document.QuerySelectorAll("table#totals-gifts_redeemed tbody tr").ToArray();
        Assert.Equal("—", rows[0].Children[2].TextContent);
        Assert.Equal("—", rows[0].Children[3].TextContent);
        Assert.Contains("No comparison with the previous window", document.Body!.TextContent);
    }

    [Theory]
    [InlineData(120, 100, "▲ +20.0 %")]
    [InlineData(80, 100, "▼ −20.0 %")]
    [InlineData(100, 100, "no change")]
    [InlineData(0, 0, "no change")]
    [InlineData(5, 0, "new (none before)")]
    public void Changes_say_their_direction_in_words_and_signs(long current, long previous, string expected) =>
        Assert.Equal(expected, CurrencyReportHtml.Change(current, previous));
}
