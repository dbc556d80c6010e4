using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GiftStudio.Reports;

/// <summary>What kind of calendar period: its previous period is one of the same kind.</summary>
public enum CurrencyPeriodKind
{
    /// <summary>-From/-To: any run of whole UTC days.</summary>
    Days,
    Month,
    Quarter,
}

/// <summary>A calendar period of whole UTC days, From to To inclusive: a month (2026-11), a
/// quarter (2026Q3) or any range of days. The API only has windows ending today (at most
/// <see cref="MaxWindowDays"/> days), so a period is read from the smallest window that
/// reaches back to its first day; the rules for which periods can be read live here.</summary>
public sealed class CurrencyPeriod
{
    /// <summary>The API's longest window (Nd, N ≤ 365): a period can start at most this many
    /// days back, counting today as the first.</summary>
    public const int MaxWindowDays = 365;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private CurrencyPeriod(CurrencyPeriodKind kind, DateTime from, DateTime to, string label)
    {
        Kind = kind;
        From = from;
        To = to;
        Label = label;
    }

    public CurrencyPeriodKind Kind { get; }
    /// <summary>The first day (midnight UTC).</summary>
    public DateTime From { get; }
    /// <summary>The last day (midnight UTC), inclusive.</summary>
    public DateTime To { get; }
    /// <summary>2026-11, 2026Q3, or 2026-11-03..2026-11-09.</summary>
    public string Label { get; }
    public int DayCount => (int)(To - From).TotalDays + 1;

    public override string ToString() => Label;

    /// <summary>yyyy-MM, e.g. 2026-11.</summary>
    public static CurrencyPeriod Month(string? text)
    {
        var value = StrictInput.RequiredText(text, "Month").Trim();
        if (!DateTime.TryParseExact(value, "yyyy-MM", Invariant, DateTimeStyles.None, out var first))
            throw StrictInput.Invalid("Month", text, $"Month must be a year and month such as 2026-11; '{text}' is not.");
        return OfMonth(first);
    }

    /// <summary>yyyyQn, e.g. 2026Q3 (Q1 is January to March).</summary>
    public static CurrencyPeriod Quarter(string? text)
    {
        var value = StrictInput.RequiredText(text, "Quarter").Trim().ToUpperInvariant();
        if (value.Length != 6 || value[4] != 'Q' || value[5] < '1' || value[5] > '4'
            || !int.TryParse(value.Substring(0, 4), NumberStyles.None, Invariant, out var year) || year < 1)
            throw StrictInput.Invalid("Quarter", text, $"Quarter must be a year and quarter such as 2026Q3 (Q1 to Q4); '{text}' is not.");
        return OfQuarter(year, value[5] - '0');
    }

    /// <summary>The period the parameters of an audit or report ask for: -Month, -Quarter or
    /// -From with -To; null when none is given (a window then). They exclude each other and -Window.</summary>
    public static CurrencyPeriod? FromParameters(bool windowGiven, string? month, string? quarter, object? from, object? to)
    {
        var given = new[] { windowGiven ? "-Window" : null, month != null ? "-Month" : null, quarter != null ? "-Quarter" : null,
            from != null || to != null ? "-From/-To" : null }.Where(n => n != null).ToList();
        if (given.Count > 1)
            throw new SocialOsInputException(ErrorIds.ConflictingPeriod, "Month", string.Join(", ", given),
                $"Give one of -Window, -Month, -Quarter or -From with -To, not {string.Join(" and ", given)}.");
        if (month != null) return Month(month);
        if (quarter != null) return Quarter(quarter);
        if (from == null && to == null) return null;
        if (from == null || to == null)
            throw StrictInput.Missing(from == null ? "From" : "To");
        return Range(Day(from, "From"), Day(to, "To"));
    }

    /// <summary>The months Tab offers: this one and the 11 before it, newest first (all of
    /// them start within the API's 365 days).</summary>
    public static IEnumerable<string> RecentMonths(DateTime today) =>
        Enumerable.Range(0, 12).Select(i => OfMonth(today.AddMonths(-i)).Label);

    /// <summary>The quarters Tab offers: this one and the 3 before it, newest first.</summary>
    public static IEnumerable<string> RecentQuarters(DateTime today) =>
        Enumerable.Range(0, 4).Select(i => today.AddMonths(-3 * i)).Select(d => OfQuarter(d.Year, (d.Month - 1) / 3 + 1).Label);

    /// <summary>-From and -To: two UTC days, both inclusive.</summary>
    public static CurrencyPeriod Range(DateTime from, DateTime to)
    {
        from = from.Date;
        to = to.Date;
        if (from > to)
            throw new SocialOsInputException(ErrorIds.PeriodFromAfterTo, "From", from,
                $"From ({Day(from)}) is after To ({Day(to)}): give the period's first day as From and its last day as To (both inclusive; the same day for one day).");
        return new CurrencyPeriod(CurrencyPeriodKind.Days, from, to, Day(from) + ".." + Day(to));
    }

    /// <summary>A day for -From or -To: text in the form yyyy-MM-dd (the UTC day), or a
    /// DateTime or DateTimeOffset whose calendar date, as written, names the day (the time is
    /// ignored, no time zone is applied: a period is made of UTC days).</summary>
    public static DateTime Day(object? value, string parameter)
    {
        switch (value)
        {
            case null: throw StrictInput.Missing(parameter);
            case DateTime dateTime: return DateTime.SpecifyKind(dateTime.Date, DateTimeKind.Utc);
            case DateTimeOffset offset: return DateTime.SpecifyKind(offset.Date, DateTimeKind.Utc);
            case string text when DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd", Invariant, DateTimeStyles.None, out var day):
                return DateTime.SpecifyKind(day, DateTimeKind.Utc);
            default:
                throw StrictInput.Invalid(parameter, value, $"{parameter} must be a UTC day such as 2026-11-01 (yyyy-MM-dd); '{value}' is not.");
        }
    }

    /// <summary>The period before this one of the same kind: the month before, the quarter
    /// before, or as many days just before.</summary>
    public CurrencyPeriod Previous() => Kind switch
    {
        CurrencyPeriodKind.Month => OfMonth(From.AddMonths(-1)),
        CurrencyPeriodKind.Quarter => OfQuarter(From.AddMonths(-3).Year, (From.AddMonths(-3).Month - 1) / 3 + 1),
        _ => Range(From.AddDays(-DayCount), From.AddDays(-1)),
    };

    /// <summary>The first day an Nd window ending <paramref name="today"/> can reach.</summary>
    public static DateTime EarliestReadable(DateTime today) => today.Date.AddDays(-(MaxWindowDays - 1));

    /// <summary>The Nd window ending <paramref name="today"/> whose first day is <paramref name="first"/>.</summary>
    public static string WindowFrom(DateTime first, DateTime today) =>
        ((int)(today.Date - first.Date).TotalDays + 1).ToString(Invariant) + "d";

    /// <summary>Whether the period can be read on <paramref name="today"/> (the server's UTC
    /// day): null when it can, else the error that says which limit it breaks.</summary>
    public SocialOsInputException? Problem(DateTime today)
    {
        today = today.Date;
        if (From > today)
            return new SocialOsInputException(ErrorIds.PeriodInFuture, ParameterName, Label,
                $"The period {Label} starts on {Day(From)}, after today ({Day(today)} UTC): nothing has happened in it yet. Give a period that starts today or earlier.");
        var earliest = EarliestReadable(today);
        if (From < earliest)
            return new SocialOsInputException(ErrorIds.PeriodTooFarBack, ParameterName, Label,
                $"The period {Label} starts on {Day(From)}, {(today - From).TotalDays + 1:0} days back counting today; the API's longest window is {MaxWindowDays} days, so a period can start on {Day(earliest)} at the earliest.");
        return null;
    }

    /// <summary>Over when its last day is before today; a period that runs into today
    /// (or beyond) is still incomplete.</summary>
    public bool IsComplete(DateTime today) => To < today.Date;

    /// <summary>The parameter a period error names.</summary>
    private string ParameterName => Kind switch { CurrencyPeriodKind.Month => "Month", CurrencyPeriodKind.Quarter => "Quarter", _ => "From" };

    private static CurrencyPeriod OfMonth(DateTime anyDay)
    {
        var first = new DateTime(anyDay.Year, anyDay.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        return new CurrencyPeriod(CurrencyPeriodKind.Month, first, first.AddMonths(1).AddDays(-1), first.ToString("yyyy-MM", Invariant));
    }

    private static CurrencyPeriod OfQuarter(int year, int quarter)
    {
        var first = new DateTime(year, 3 * (quarter - 1) + 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return new CurrencyPeriod(CurrencyPeriodKind.Quarter, first, first.AddMonths(3).AddDays(-1),
            year.ToString("0000", Invariant) + "Q" + quarter.ToString(Invariant));
    }

    private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", Invariant);
}
