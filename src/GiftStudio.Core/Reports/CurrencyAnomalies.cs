using System;
using System.Collections.Generic;
using System.Linq;

namespace GiftStudio.Reports;

/// <summary>A robust outlier score for one value against a baseline: the modified z-score of
/// Iglewicz and Hoaglin (1993), (x - median) / (1.4826 * MAD), where MAD is the median
/// absolute deviation of the baseline. Medians ignore the spikes and drops they look for,
/// where a mean and standard deviation would be pulled towards them.</summary>
public static class RobustScore
{
    /// <summary>1 / Φ⁻¹(3/4): makes the MAD estimate the standard deviation of normal data.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>The baseline's median and its spread (1.4826 × MAD), never below
    /// <paramref name="minimumSigma"/>, so that a flat or empty baseline (MAD = 0) still has a scale.</summary>
    public static (double Median, double Sigma) Baseline(IReadOnlyList<double> values, double minimumSigma = 0)
    {
        if (values.Count == 0) throw new ArgumentException("A baseline needs at least one value.", nameof(values));
        var median = Median(values);
        var mad = Median(values.Select(v => Math.Abs(v - median)).ToList());
        return (median, Math.Max(MadToSigma * mad, minimumSigma));
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>Annotates the daily rows of a currency audit: which days are partial, the expected
/// count and value of each complete day, how far it deviates, the anomaly flag, and each
/// day's share of the window's largest count (the bar of the table view).</summary>
public static class CurrencyAnomalies
{
    /// <summary>The default threshold on |modified z-score|. Iglewicz and Hoaglin suggest 3.5
    /// for one sample, but a runbook judges some 50 days per metric each time; on the
    /// sandbox's seeded histories (a weekly rhythm, rewards that vary by campaign) about 24
    /// of 1,888 deviations of ordinary days went beyond 3.5 and 5 beyond 5 (all in 90-day windows), while a
    /// tenfold day or a day of nothing on a platform with a few dozen events a day scores
    /// far beyond 5. README.md has the measurement.</summary>
    public const double DefaultThreshold = 5;

    /// <summary>In shorter windows a day is compared with the other complete days of its kind
    /// (Monday to Friday, or Saturday and Sunday), and is judged only when there are at
    /// least this many: a median of a handful of days says too little.</summary>
    public const int MinimumBaselineDays = 6;

    /// <summary>Once every weekday has at least this many other complete days in the window
    /// (windows of about five weeks and more), a day is compared with the same weekday.</summary>
    public const int MinimumWeekdayBaselineDays = 4;

    /// <summary>Annotates the days of a window in place.</summary>
    /// <param name="days">The daily rows, newest first, as the API returns them.</param>
    /// <param name="hourWindow">True for an Nh window, whose oldest day is partial too.</param>
    /// <param name="threshold">Flag a day when |deviation| of its count or value exceeds this.</param>
    public static void Annotate(IReadOnlyList<SocialCurrencyAuditDay> days, bool hourWindow, double threshold = DefaultThreshold)
    {
        CheckThreshold(threshold);
        // The window ends at the server's now, so today's row is partial; an hour window
        // starts mid-day too. Partial days are never judged: a half day is not a drop.
        for (var i = 0; i < days.Count; i++) days[i].Complete = !(i == 0 || hourWindow && i == days.Count - 1);
        Judge(days, threshold);
    }

    /// <summary>Annotates days whose <see cref="SocialCurrencyAuditDay.Complete"/> is already
    /// set (the rows of a calendar period and the days before it): each complete day against
    /// the other complete days of the list.</summary>
    public static void Judge(IReadOnlyList<SocialCurrencyAuditDay> days, double threshold = DefaultThreshold)
    {
        CheckThreshold(threshold);
        foreach (var day in days)
        {
            day.ExpectedCount = day.ExpectedValue = day.CountDeviation = day.ValueDeviation = null;
            day.Anomaly = day.AnomalyIn = null;
        }
        if (days.Count == 0) return;
        SetSharesOfPeak(days);

        var complete = days.Where(d => d.Complete).ToList();
        var byWeekday = complete.GroupBy(d => d.Date.DayOfWeek).ToDictionary(g => g.Key, g => g.Count());
        var weekdayAware = byWeekday.Count == 7 && byWeekday.Values.All(n => n - 1 >= MinimumWeekdayBaselineDays);

        foreach (var day in complete)
        {
            // Weekly rhythms are the rule (quiet weekends, or busy ones): comparing a Sunday
            // with Tuesdays would flag every weekend.
            var baseline = complete.Where(d => !ReferenceEquals(d, day) &&
                (weekdayAware ? d.Date.DayOfWeek == day.Date.DayOfWeek : IsWeekend(d.Date.DayOfWeek) == IsWeekend(day.Date.DayOfWeek))).ToList();
            if (baseline.Count < (weekdayAware ? MinimumWeekdayBaselineDays : MinimumBaselineDays)) continue;

            // The spread is never taken below the Poisson noise of a day's count, √(median
            // count) events (at least 1), and for the value those events times the median
            // value per event (at least 1 point): a flat series flags only a day far off it,
            // an empty one only a day with several events.
            var counts = baseline.Select(d => (double)d.Count).ToList();
            var values = baseline.Select(d => (double)d.Value).ToList();
            var typicalCount = Math.Max(RobustScore.Median(counts), 1);
            var (countMedian, countSigma) = RobustScore.Baseline(counts, Math.Sqrt(typicalCount));
            var (valueMedian, valueSigma) = RobustScore.Baseline(values, Math.Max(1, Math.Abs(RobustScore.Median(values)) / Math.Sqrt(typicalCount)));
            // The reward mix does not keep a weekly rhythm: it is learnt from every other complete day.
            valueSigma = Math.Max(valueSigma, RewardMixSigma(complete.Where(d => !ReferenceEquals(d, day)).ToList(), countSigma, typicalCount));
            var countScore = (day.Count - countMedian) / countSigma;
            var valueScore = (day.Value - valueMedian) / valueSigma;
            day.ExpectedCount = countMedian;
            day.ExpectedValue = valueMedian;
            day.CountDeviation = Math.Round(countScore, 2);
            day.ValueDeviation = Math.Round(valueScore, 2);

            var countFlag = Math.Abs(countScore) > threshold;
            var valueFlag = Math.Abs(valueScore) > threshold;
            if (!countFlag && !valueFlag) continue;
            // The direction is that of the larger deviation among the flagged measures.
            var leading = countFlag && (!valueFlag || Math.Abs(countScore) >= Math.Abs(valueScore)) ? countScore : valueScore;
            day.Anomaly = leading > 0 ? "High" : "Low";
            day.AnomalyIn = countFlag && valueFlag ? "Count, Value" : countFlag ? "Count" : "Value";
        }
    }

    /// <summary>The spread a day's value has as a sum of rewards (many small, a few large): the
    /// count's spread times the (median) value per event, and the spread of the reward mix, Var(V) ≈
    /// σ_count² · r² + n · Var(X) for n events of value X with mean r (a compound Poisson sum).
    /// Var(X) comes from how far each other complete day's value per event is off r: a day of c events
    /// deviates by about √(Var(X)/c), so c · (v/c − r)² estimates Var(X). Those squares are
    /// averaged (a median would miss the rare large rewards that make the tail), the largest
    /// left out so that one odd day in the baseline does not hide another. A median and MAD of
    /// a few weeks of daily values alone see too few large rewards: on seeded histories they
    /// flagged ordinary days at 6 robust deviations (bench/REPORT.md, section 6).</summary>
    internal static double RewardMixSigma(IReadOnlyList<SocialCurrencyAuditDay> others, double countSigma, double typicalCount)
    {
        var active = others.Where(d => d.Count > 0).ToList();
        if (active.Count < 3) return 0;
        // The median day's value per event: one day of oversized rewards does not move it.
        var perEvent = RobustScore.Median(active.Select(d => (double)d.Value / d.Count).ToList());
        var squares = active.Select(d => d.Count * Math.Pow((double)d.Value / d.Count - perEvent, 2)).OrderBy(x => x).ToList();
        var mixVariance = squares.Take(squares.Count - 1).Average();
        return Math.Sqrt(countSigma * countSigma * perEvent * perEvent + typicalCount * mixVariance);
    }

    /// <summary>Each day's count as a share of the largest count of <paramref name="days"/>.</summary>
    public static void SetSharesOfPeak(IReadOnlyList<SocialCurrencyAuditDay> days)
    {
        var peak = days.Count == 0 ? 0 : days.Max(d => d.Count);
        foreach (var day in days) day.ShareOfPeak = peak > 0 ? (double)day.Count / peak : 0;
    }

    private static void CheckThreshold(double threshold)
    {
        if (!(threshold > 0) || double.IsInfinity(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The anomaly threshold must be a positive number.");
    }

    private static bool IsWeekend(DayOfWeek day) => day == DayOfWeek.Saturday || day == DayOfWeek.Sunday;

    /// <summary>Whether the window text (already in the StrictInput form) is in hours.</summary>
    public static bool IsHourWindow(string window) => window.EndsWith("h", StringComparison.OrdinalIgnoreCase);
}
