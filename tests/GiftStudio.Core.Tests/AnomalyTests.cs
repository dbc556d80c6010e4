using System;
using System.Collections.Generic;
using System.Linq;
using GiftStudio.Reports;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The anomaly flags of the daily rows on reproducible series with known days.</summary>
public sealed class AnomalyTests
{
    // 2026-11-02 is a Monday.
    internal static readonly DateTime FirstDay = new(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Daily rows, newest first as the API gives them, from counts listed oldest first
    /// (value = count × 100 unless given).</summary>
    internal static List<SocialCurrencyAuditDay> Series(IReadOnlyList<long> counts, IReadOnlyList<long>? values = null) =>
        counts.Select((count, i) => new SocialCurrencyAuditDay
        {
            Date = FirstDay.AddDays(i),
            Count = count,
            Value = values?[i] ?? count * 100,
            Metric = "gifts_redeemed",
            Window = counts.Count + "d",
        }).Reverse().ToList();

    /// <summary>A quiet but noisy series: 40 to 50 a day, deterministic.</summary>
    internal static long[] Quiet(int days) => Enumerable.Range(0, days).Select(i => 40L + (i * 7 % 11)).ToArray();

    private static SocialCurrencyAuditDay On(IEnumerable<SocialCurrencyAuditDay> days, int index) =>
        days.Single(d => d.Date == FirstDay.AddDays(index));

    private static string[] Flagged(IEnumerable<SocialCurrencyAuditDay> days) =>
        days.Where(d => d.Anomaly != null).OrderBy(d => d.Date).Select(d => $"{d.Date:MM-dd} {d.Anomaly} {d.AnomalyIn}").ToArray();

    [Fact]
    public void A_spike_and_a_drop_are_flagged_on_their_days_and_nowhere_else()
    {
        var counts = Quiet(30);
        counts[9] = 420;   // a campaign paying ten times too much
        counts[19] = 0;    // a shop feed that sent nothing
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        Assert.Equal(new[] { "11-11 High Count, Value", "11-21 Low Count, Value" }, Flagged(days));
        var spike = On(days, 9);
        Assert.True(spike.CountDeviation > 5);
        Assert.InRange(spike.ExpectedCount!.Value, 40, 50);
        Assert.True(On(days, 19).CountDeviation < -5);
    }

    [Fact]
    public void A_quiet_series_flags_nothing()
    {
        var days = Series(Quiet(30));
        CurrencyAnomalies.Annotate(days, hourWindow: false);
        Assert.Empty(Flagged(days));
        Assert.All(days.Where(d => d.Complete), d => Assert.NotNull(d.CountDeviation));
    }

    [Fact]
    public void A_weekly_rhythm_with_quiet_weekends_flags_nothing_in_a_month()
    {
        // Weekends at half the weekday level, as the sandbox's seed makes them.
        var counts = Enumerable.Range(0, 30).Select(i => FirstDay.AddDays(i).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 20L + i % 3 : 45L + i % 5).ToArray();
        var days = Series(counts);
        CurrencyAnomalies.Annotate(days, hourWindow: false);
        Assert.Empty(Flagged(days));
        // A weekend day is compared with weekend days.
        Assert.InRange(On(days, 5).ExpectedCount!.Value, 20, 22);
    }

    [Fact]
    public void Todays_partial_row_is_never_flagged_even_when_empty()
    {
        var counts = Quiet(30);
        counts[^1] = 0;   // today, early in the morning
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        var today = days[0];
        Assert.False(today.Complete);
        Assert.Null(today.Anomaly);
        Assert.Null(today.CountDeviation);
        Assert.Null(today.ExpectedCount);
        Assert.All(days.Skip(1), d => Assert.True(d.Complete));
        Assert.Empty(Flagged(days));
    }

    [Fact]
    public void An_hour_window_has_a_partial_oldest_day_too()
    {
        var counts = Quiet(12);
        counts[0] = 1;   // the oldest day: only its last hours are in the window
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: true);

        Assert.False(days[0].Complete);
        Assert.False(days[^1].Complete);
        Assert.Null(days[^1].Anomaly);
        Assert.Empty(Flagged(days));
    }

    [Fact]
    public void A_flat_baseline_has_a_scale_and_flags_only_a_day_far_off_it()
    {
        var counts = Enumerable.Repeat(50L, 20).ToArray();
        counts[8] = 56;    // within the noise of a count of 50 (√50 ≈ 7)
        counts[15] = 90;   // far off
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        Assert.Equal(new[] { "11-17 High Count, Value" }, Flagged(days));
        Assert.Equal(50, On(days, 15).ExpectedCount);
        Assert.Equal(Math.Round(40 / Math.Sqrt(50), 2), On(days, 15).CountDeviation);
        Assert.Equal(Math.Round(600 / (5000 / Math.Sqrt(50)), 2), On(days, 8).ValueDeviation);
    }

    [Fact]
    public void An_empty_series_flags_nothing_and_expects_zero()
    {
        var days = Series(new long[20]);
        CurrencyAnomalies.Annotate(days, hourWindow: false);
        Assert.Empty(Flagged(days));
        // 19 complete days: the weekdays are judged (expected 0); the 4 weekend days are too few.
        Assert.All(days.Where(d => d.Complete), d => Assert.Equal(d.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? null : 0, d.ExpectedCount));
        Assert.All(days, d => Assert.Equal(0, d.ShareOfPeak));
    }

    [Fact]
    public void Fewer_than_six_other_complete_days_of_the_kind_judge_nothing()
    {
        // 9 rows from a Monday: today (partial) and 8 complete days, 6 of them weekdays, so
        // a weekday has 5 others and the weekend days 1.
        var counts = Quiet(9);
        counts[3] = 500;
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        Assert.Empty(Flagged(days));
        Assert.All(days, d => Assert.Null(d.ExpectedCount));

        // One more weekday and the same spike is judged; the weekend days still are not.
        var longer = Quiet(10);
        longer[3] = 500;
        var judged = Series(longer);
        CurrencyAnomalies.Annotate(judged, hourWindow: false);
        Assert.Equal(new[] { "11-05 High Count, Value" }, Flagged(judged));
        Assert.Null(On(judged, 5).ExpectedCount);
        Assert.NotNull(On(judged, 4).ExpectedCount);
    }

    [Fact]
    public void A_long_window_compares_each_day_with_the_same_weekday()
    {
        // Six weeks: weekdays about 100, weekends about 10. A Saturday at weekday level is
        // odd for a Saturday; the quiet weekends themselves are normal.
        var counts = Enumerable.Range(0, 43).Select(i => FirstDay.AddDays(i).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 10L + i % 3 : 100L + i % 7).ToArray();
        var saturday = Enumerable.Range(0, 43).First(i => i > 20 && FirstDay.AddDays(i).DayOfWeek == DayOfWeek.Saturday);
        counts[saturday] = 100;
        var days = Series(counts);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        Assert.Equal(new[] { $"{FirstDay.AddDays(saturday):MM-dd} High Count, Value" }, Flagged(days));
        Assert.InRange(On(days, saturday).ExpectedCount!.Value, 10, 12);
    }

    [Fact]
    public void The_threshold_decides_how_far_is_too_far()
    {
        var counts = Quiet(30);
        counts[10] = 62;   // moderately high
        var strict = Series(counts);
        var loose = Series(counts);

        CurrencyAnomalies.Annotate(strict, hourWindow: false, threshold: 3.5);
        CurrencyAnomalies.Annotate(loose, hourWindow: false, threshold: 2);

        Assert.Empty(Flagged(strict));
        Assert.Equal(new[] { "11-12 High Count, Value" }, Flagged(loose));
        Assert.Throws<ArgumentOutOfRangeException>(() => CurrencyAnomalies.Annotate(strict, false, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CurrencyAnomalies.Annotate(strict, false, double.NaN));
    }

    [Fact]
    public void The_value_is_judged_on_its_own_and_the_flag_says_so()
    {
        var counts = Quiet(30);
        var values = counts.Select(c => c * 100).ToArray();
        values[14] = counts[14] * 1000;   // the usual number of redemptions, ten times the points
        values[22] = 0;                    // ... and the right number for nothing (a broken reward)
        var days = Series(counts, values);

        CurrencyAnomalies.Annotate(days, hourWindow: false);

        Assert.Equal(new[] { "11-16 High Value", "11-24 Low Value" }, Flagged(days));
        Assert.InRange(Math.Abs(On(days, 14).CountDeviation!.Value), 0, 1);
    }

    [Fact]
    public void A_few_large_rewards_among_many_small_ones_are_not_an_anomaly_but_a_day_three_times_as_busy_is()
    {
        // 40 redemptions a day of 20 points, and on some days one to three of 1,500: the
        // sandbox's mix (many vouchers, a few champion rewards). Most days have none, so the
        // median and MAD of the daily values alone (800, 0) took every large reward for a spike.
        var large = new[] { 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 3, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 1, 0 };
        var counts = Quiet(30);
        var values = counts.Select((c, i) => (c - large[i]) * 20 + large[i] * 1500L).ToArray();

        var days = Series(counts, values);
        CurrencyAnomalies.Annotate(days, hourWindow: false);
        Assert.Empty(Flagged(days));

        // The same history with day 20 at three times its expected count and value.
        var ordinary = On(days, 20);
        counts[20] = (long)Math.Round(3 * ordinary.ExpectedCount!.Value);
        values[20] = (long)Math.Round(3 * ordinary.ExpectedValue!.Value);
        var busy = Series(counts, values);
        CurrencyAnomalies.Annotate(busy, hourWindow: false);
        Assert.Equal(new[] { "11-22 High Count" }, Flagged(busy));
    }

    [Fact]
    public void The_share_of_peak_scales_every_day_to_the_largest()
    {
        var days = Series(new long[] { 10, 40, 20, 0, 30 });
        CurrencyAnomalies.Annotate(days, hourWindow: false);
        Assert.Equal(new[] { 0.25, 1, 0.5, 0, 0.75 }, days.AsEnumerable().Reverse().Select(d => d.ShareOfPeak));
    }

    [Fact]
    public void The_modified_z_score_follows_Iglewicz_and_Hoaglin()
    {
        // Baseline 10, 12, 14, 16, 18, 20, 22: median 16, MAD 4, σ = 1.4826 × 4 = 5.93.
        var (median, sigma) = RobustScore.Baseline(new double[] { 22, 10, 18, 12, 16, 14, 20 });
        Assert.Equal(16, median);
        Assert.Equal(1.4826 * 4, sigma, 10);
        Assert.Equal(2.5, RobustScore.Median(new double[] { 4, 1, 3, 2 }));
    }
}
