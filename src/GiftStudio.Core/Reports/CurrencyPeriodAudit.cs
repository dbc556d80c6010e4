using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Reports;

/// <summary>The daily rows of one Nd window read for a calendar period: the period's rows,
/// and the days before it that the window also holds (the anomaly baseline, the previous
/// period of a report).</summary>
public sealed class CurrencyPeriodRead
{
    internal CurrencyPeriodRead(string metric, string window, DateTime today, IReadOnlyList<SocialCurrencyAuditDay> rows)
    {
        Metric = metric;
        Window = window;
        Today = today;
        Rows = rows;
    }

    public string Metric { get; }
    /// <summary>The window read, e.g. 32d.</summary>
    public string Window { get; }
    /// <summary>The server's UTC day (the window's last, partial day).</summary>
    public DateTime Today { get; }
    /// <summary>Every row of the window, newest first.</summary>
    public IReadOnlyList<SocialCurrencyAuditDay> Rows { get; }
    /// <summary>The window's first day.</summary>
    public DateTime First => Rows[Rows.Count - 1].Date;

    /// <summary>Whether the window reaches back to the period's first day.</summary>
    public bool Covers(CurrencyPeriod period) => period.From >= First;

    /// <summary>The period's rows (up to today when it runs on), newest first.</summary>
    public IReadOnlyList<SocialCurrencyAuditDay> DaysOf(CurrencyPeriod period) =>
        Rows.Where(d => d.Date >= period.From && d.Date <= period.To).ToList();

    /// <summary>The period's totals, added up from its daily rows: count and value are exact;
    /// recipients and top tier cannot be had from daily rows and are null, as Partial says.</summary>
    public SocialCurrencyAudit Summarize(CurrencyPeriod period)
    {
        if (!Covers(period)) throw new InvalidOperationException($"The {Window} window does not reach back to {period.Label}.");
        var days = DaysOf(period);
        return new SocialCurrencyAudit
        {
            Type = "currency",
            Metric = Metric,
            Window = Window,
            TotalGifts = days.Sum(d => d.Count),
            TotalValue = days.Sum(d => d.Value),
            UniqueRecipients = null,
            TopTier = null,
            PeriodStart = period.From,
            PeriodEnd = period.To,
            Days = days.Count,
            Period = period.Label,
            Complete = period.IsComplete(Today),
            Partial = CurrencyPeriodAudit.NotFromDailyRows,
        };
    }

    /// <summary>The period's rows (newest first) with anomaly flags, each day judged against
    /// the other complete days of the period and of the days before it that the window holds.
    /// Days after the period are not part of the baseline. Today is partial and not judged.</summary>
    public IReadOnlyList<SocialCurrencyAuditDay> JudgedDaysOf(CurrencyPeriod period, double threshold)
    {
        var judged = Rows.Where(d => d.Date <= period.To).ToList();
        foreach (var day in judged) day.Complete = day.Date < Today;
        CurrencyAnomalies.Judge(judged, threshold);
        var days = DaysOf(period);
        // The bars of the table view are the period's own.
        CurrencyAnomalies.SetSharesOfPeak(days);
        return days;
    }

    /// <summary>How many days before the period the window holds.</summary>
    public int DaysBefore(CurrencyPeriod period) => Math.Max(0, (int)(period.From - First).TotalDays);

    /// <summary>Null when the window holds <see cref="CurrencyPeriodAudit.BaselineDaysBefore"/>
    /// days before the period; else a sentence saying how many it holds and why.</summary>
    public string? BaselineNote(CurrencyPeriod period)
    {
        var before = DaysBefore(period);
        if (before >= CurrencyPeriodAudit.BaselineDaysBefore) return null;
        return $"The anomaly baseline of {period.Label} holds {(before == 0 ? "no day" : before == 1 ? "1 day" : before + " days")} before the period, not {CurrencyPeriodAudit.BaselineDaysBefore}: "
            + $"the API's longest window ({CurrencyPeriod.MaxWindowDays} days) reaches back to {First:yyyy-MM-dd}. Days are judged against the period's other days only.";
    }
}

/// <summary>Reads a calendar period from the API, which offers only windows ending today.</summary>
public static class CurrencyPeriodAudit
{
    /// <summary>The value of <see cref="SocialCurrencyAudit.Partial"/> for a calendar period.</summary>
    public const string NotFromDailyRows = "UniqueRecipients, TopTier";

    /// <summary>How many days before a period -Daily reads for the anomaly baseline: four
    /// whole weeks, so that every weekday has four more days to be compared with.</summary>
    public const int BaselineDaysBefore = 28;

    /// <summary>Reads the smallest Nd window that reaches back <paramref name="daysBefore"/>
    /// days before the period's first day (never beyond the API's 365 days): one call when the
    /// server's UTC day is <paramref name="localToday"/>'s. When it is not (a sandbox started
    /// with --now, a clock off by a day at midnight) the server's day, learnt from the answer,
    /// decides, and the window is read once more.</summary>
    /// <exception cref="SocialOsInputException">The period starts after the server's today
    /// (PeriodInFuture) or more than 365 days back (PeriodTooFarBack).</exception>
    public static async Task<CurrencyPeriodRead> ReadAsync(SocialOsClient client, string metric, CurrencyPeriod period, int daysBefore,
        DateTime localToday, CancellationToken cancellationToken = default)
    {
        if (client == null) throw new ArgumentNullException(nameof(client));
        if (period == null) throw new ArgumentNullException(nameof(period));
        var today = localToday.Date;
        var serverDay = false;
        // Three rounds: the guess, the server's day, and once more if the server's day ended in between.
        for (var round = 0; round < 3; round++)
        {
            var problem = period.Problem(today);
            if (problem != null)
            {
                if (serverDay) throw problem;
                // The limits are the server's: ask it for its day before refusing.
                today = Today(await client.GetCurrencyAuditAsync(metric, "1d", cancellationToken).ConfigureAwait(false));
                serverDay = true;
                continue;
            }
            var first = period.From.AddDays(-Math.Max(0, daysBefore));
            var earliest = CurrencyPeriod.EarliestReadable(today);
            if (first < earliest) first = earliest;
            var window = CurrencyPeriod.WindowFrom(first, today);
            var read = await client.GetCurrencyAuditAsync(metric, window, cancellationToken).ConfigureAwait(false);
            var answered = Today(read);
            if (answered == today) return new CurrencyPeriodRead(metric, window, today, read.Days);
            today = answered;
            serverDay = true;
        }
        throw new InvalidOperationException("The server's UTC day changed while the period was read; try again.");
    }

    /// <summary>The server's UTC day: the newest row of a day window.</summary>
    private static DateTime Today(CurrencyAuditReport read) =>
        read.Days.Count > 0 ? read.Days[0].Date : throw new System.Text.Json.JsonException("The audit answer has no daily rows, so it does not say the server's day.");
}
