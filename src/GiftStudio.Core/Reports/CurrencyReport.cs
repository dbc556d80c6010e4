using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Reports;

/// <summary>One metric of the report: the window's summary and annotated days (oldest
/// first), and the previous window's totals when they could be had.</summary>
public sealed class CurrencyReportMetric
{
    public CurrencyReportMetric(SocialCurrencyAudit summary, IReadOnlyList<SocialCurrencyAuditDay> days, long? previousCount, long? previousValue)
    {
        Summary = summary;
        Days = days;
        PreviousCount = previousCount;
        PreviousValue = previousValue;
    }

    public SocialCurrencyAudit Summary { get; }
    /// <summary>Oldest first, annotated by <see cref="CurrencyAnomalies"/>.</summary>
    public IReadOnlyList<SocialCurrencyAuditDay> Days { get; }
    public long? PreviousCount { get; }
    public long? PreviousValue { get; }
}

/// <summary>Everything the HTML report shows. It never holds the API key.</summary>
public sealed class CurrencyReport
{
    /// <summary>Campaigns expiring within this many days of generation are listed.</summary>
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(7);

    public CurrencyReport(string host, string window, DateTime generatedAt, IReadOnlyList<CurrencyReportMetric> metrics,
        Leaderboard leaderboard, IReadOnlyList<SocialGift> expiring, string? comparisonNote, double threshold,
        CurrencyPeriod? period = null, string? baselineNote = null)
    {
        Period = period;
        BaselineNote = baselineNote;
        Host = host;
        Window = window;
        GeneratedAt = generatedAt;
        Metrics = metrics;
        Leaderboard = leaderboard;
        Expiring = expiring;
        ComparisonNote = comparisonNote;
        Threshold = threshold;
    }

    /// <summary>The connection's host (and port), never its key.</summary>
    public string Host { get; }
    /// <summary>The window (30d), or for a calendar period the period's label (2026-11).</summary>
    public string Window { get; }
    /// <summary>The calendar period reported on; null for a window ending now.</summary>
    public CurrencyPeriod? Period { get; }
    /// <summary>Why the anomaly baseline holds fewer days before the period than it should; null when it holds them all.</summary>
    public string? BaselineNote { get; }
    /// <summary>When the report was made (UTC).</summary>
    public DateTime GeneratedAt { get; }
    public IReadOnlyList<CurrencyReportMetric> Metrics { get; }
    public Leaderboard Leaderboard { get; }
    /// <summary>Campaigns expiring within <see cref="ExpiringWithin"/>, soonest first.</summary>
    public IReadOnlyList<SocialGift> Expiring { get; }
    /// <summary>Why there is no comparison with the previous window; null when there is one.</summary>
    public string? ComparisonNote { get; }
    public double Threshold { get; }

    /// <summary>Reads what the report needs: per metric the window (summary and days) and,
    /// when 2N ≤ 365 days, the daily rows of one 2N-day query for the previous window;
    /// the leaderboard's top <paramref name="top"/>; the active campaigns.</summary>
    public static async Task<CurrencyReport> CollectAsync(SocialOsClient client, string window, int top, double threshold,
        DateTime generatedAtUtc, CancellationToken cancellationToken = default)
    {
        if (client == null) throw new ArgumentNullException(nameof(client));
        var hours = CurrencyAnomalies.IsHourWindow(window);
        var length = int.Parse(window.Substring(0, window.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);
        string? note = null;
        if (hours) note = "No comparison with the previous window: it is made from whole UTC days, so only for day windows (Nd).";
        else if (2L * length > 365) note = $"No comparison with the previous window: it needs {2 * length} days of daily rows, and the API gives at most 365.";

        var metrics = new List<CurrencyReportMetric>();
        foreach (var metric in StrictInput.Metrics)
        {
            var current = await client.GetCurrencyAuditAsync(metric, window, cancellationToken).ConfigureAwait(false);
            long? previousCount = null, previousValue = null;
            if (note == null)
            {
                // Newest first: the rows after the first N are the previous window's N days.
                var both = await client.GetCurrencyAuditAsync(metric, (2 * length).ToString(CultureInfo.InvariantCulture) + "d", cancellationToken).ConfigureAwait(false);
                var previous = both.Days.Skip(length).ToList();
                previousCount = previous.Sum(d => d.Count);
                previousValue = previous.Sum(d => d.Value);
            }
            CurrencyAnomalies.Annotate(current.Days, hours, threshold);
            metrics.Add(new CurrencyReportMetric(current.Summary, current.Days.Reverse().ToList(), previousCount, previousValue));
        }

        var (leaderboard, expiring) = await LeaderboardAndExpiringAsync(client, top, generatedAtUtc, cancellationToken).ConfigureAwait(false);
        return new CurrencyReport(client.BaseUri.Authority, window, generatedAtUtc, metrics, leaderboard, expiring, note, threshold);
    }

    /// <summary>The report of a calendar period: per metric one window reaching back to the
    /// previous period of the same kind (the month, quarter or as many days before) when that
    /// is at most 365 days back, else to four weeks before the period (the anomaly baseline)
    /// as far as the API allows. Count and value are compared with the previous period only
    /// when the window covers it; otherwise the report says why not.</summary>
    public static async Task<CurrencyReport> CollectAsync(SocialOsClient client, CurrencyPeriod period, int top, double threshold,
        DateTime generatedAtUtc, CancellationToken cancellationToken = default)
    {
        if (client == null) throw new ArgumentNullException(nameof(client));
        if (period == null) throw new ArgumentNullException(nameof(period));
        var previous = period.Previous();
        var daysBefore = Math.Max(CurrencyPeriodAudit.BaselineDaysBefore, (int)(period.From - previous.From).TotalDays);
        string? note = null, baselineNote = null;
        var metrics = new List<CurrencyReportMetric>();
        foreach (var metric in StrictInput.Metrics)
        {
            var read = await CurrencyPeriodAudit.ReadAsync(client, metric, period, daysBefore, generatedAtUtc, cancellationToken).ConfigureAwait(false);
            long? previousCount = null, previousValue = null;
            if (read.Covers(previous))
            {
                var days = read.DaysOf(previous);
                previousCount = days.Sum(d => d.Count);
                previousValue = days.Sum(d => d.Value);
            }
            else
            {
                note = $"No comparison with {previous.Label}: {period.Label} against {previous.Label} needs one window from {previous.From:yyyy-MM-dd}, "
                    + $"{(read.Today - previous.From).TotalDays + 1:0} days back counting today, and the API's longest window is {CurrencyPeriod.MaxWindowDays} days.";
            }
            baselineNote = read.BaselineNote(period);
            var judged = read.JudgedDaysOf(period, threshold);
            metrics.Add(new CurrencyReportMetric(read.Summarize(period), judged.Reverse().ToList(), previousCount, previousValue));
        }

        var (leaderboard, expiring) = await LeaderboardAndExpiringAsync(client, top, generatedAtUtc, cancellationToken).ConfigureAwait(false);
        return new CurrencyReport(client.BaseUri.Authority, period.Label, generatedAtUtc, metrics, leaderboard, expiring, note, threshold, period, baselineNote);
    }

    private static async Task<(Leaderboard, IReadOnlyList<SocialGift>)> LeaderboardAndExpiringAsync(SocialOsClient client, int top,
        DateTime generatedAtUtc, CancellationToken cancellationToken)
    {
        var leaderboard = await client.GetLeaderboardAsync(top, cancellationToken).ConfigureAwait(false);

        var expiring = new List<SocialGift>();
        var until = generatedAtUtc + ExpiringWithin;
        var pages = client.ListGiftPages(active: true, limit: StrictInput.MaxLimit);
        while (!pages.Done)
        {
            var page = await pages.NextAsync(cancellationToken).ConfigureAwait(false);
            expiring.AddRange(page.Gifts.Where(g => g.Expires != null && g.Expires.Value > generatedAtUtc && g.Expires.Value <= until));
        }

        return (leaderboard, expiring.OrderBy(g => g.Expires).ThenBy(g => g.GiftId, StringComparer.Ordinal).ToList());
    }
}
