using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace GiftStudio.Reports;

/// <summary>Writes a <see cref="CurrencyReport"/> as one self-contained HTML page that reads the
/// same in a browser and as a mail body: no script, no external reference (no web font,
/// image, link or stylesheet), only inline style attributes, and charts made of table cells
/// (the one layout that Outlook's Word engine, Gmail and every browser keep).
/// Every chart has a data table beside it; colours are from the Okabe-Ito palette
/// (distinct for colour-blind readers, at least 3:1 against the background) and never
/// carry meaning alone: anomalies are also marked in text (▲ High, ▼ Low).</summary>
public static class CurrencyReportHtml
{
    internal const string CountColour = "#0072B2";   // Okabe-Ito blue: 5.1:1 on white
    internal const string ValueColour = "#D55E00";   // Okabe-Ito vermillion: 3.9:1 on white
    internal const string WeekendShade = "#EBEBEB";  // still ≥ 3:1 under both bar colours
    private const string Text = "#1A1A1A";
    private const string Muted = "#4D4D4D";           // 8.4:1 on white
    private const string Rule = "#BFBFBF";

    /// <summary>Every row of the daily chart and table is one line of this height (plus padding
    /// and rule), so the two line up when they stand side by side.</summary>
    internal const int RowHeight = 18;
    private const string TableStyle = "border-collapse:collapse;font-size:13px;line-height:18px;margin:0 0 12px 0";
    private const string CellStyle = "padding:3px 6px;border-bottom:1px solid " + Rule;
    private const string NoWrapCellStyle = CellStyle + ";white-space:nowrap";
    private const string NumberStyle = "padding:3px 6px;border-bottom:1px solid " + Rule + ";text-align:right;white-space:nowrap";
    private const string HeadStyle = "padding:3px 6px;border-bottom:2px solid " + Text + ";text-align:left;font-weight:bold;white-space:nowrap";
    private const string CaptionStyle = "text-align:left;font-weight:bold;padding:0 0 4px 0;white-space:nowrap";
    /// <summary>One line high, clipping: see <see cref="DateText"/>.</summary>
    private const string DateCellStyle = CellStyle;
    private const string Column = "display:inline-block;vertical-align:top;width:100%;max-width:520px;margin:0 16px 8px 0";
    // The daily table has six columns: it gets the wider half of the 1,068 px content width.
    private const string ChartColumn = "display:inline-block;vertical-align:top;width:100%;max-width:420px;margin:0 16px 8px 0";
    /// <summary>A wide table scrolls sideways inside its box on a phone instead of widening the page.</summary>
    private const string Scrolls = "overflow-x:auto";
    private const string TableColumn = "display:inline-block;vertical-align:top;width:100%;max-width:620px;margin:0 0 8px 0;" + Scrolls;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(CurrencyReport report)
    {
        if (report == null) throw new ArgumentNullException(nameof(report));
        var html = new StringBuilder(64 * 1024);
        var first = report.Metrics.FirstOrDefault()?.Summary;
        var period = first == null ? "" : $"{first.PeriodStart:yyyy-MM-dd} to {first.PeriodEnd:yyyy-MM-dd}";
        var title = report.Period != null
            ? $"GiftStudio currency report: {report.Period.Label} ({period})"
            : $"GiftStudio currency report: {report.Window} to {(first == null ? "" : first.PeriodEnd.ToString("yyyy-MM-dd", Invariant))}";

        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n</head>\n")
            .Append("<body style=\"margin:0;padding:0;background:#FFFFFF;color:").Append(Text)
            .Append(";font-family:'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;line-height:1.4\">\n")
            .Append("<div style=\"max-width:1100px;margin:0 auto;padding:16px\">\n")
            .Append("<h1 style=\"font-size:22px;margin:0 0 4px 0\">Currency report</h1>\n")
            .Append("<p id=\"meta\" style=\"margin:0 0 16px 0;color:").Append(Muted).Append("\">Host <b>").Append(Encode(report.Host))
            .Append("</b> · ").Append(report.Period != null ? "period" : "window").Append(" <b>").Append(Encode(report.Window)).Append("</b> (").Append(Encode(period))
            .Append(", UTC days").Append(first != null && report.Period != null && !first.Complete ? "; not over yet, the totals are so far" : "")
            .Append(") · generated ").Append(Encode(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm", Invariant))).Append(" UTC</p>\n");

        Totals(html, report);
        foreach (var metric in report.Metrics) Daily(html, metric, report.Threshold);
        LeaderboardSection(html, report.Leaderboard);
        ExpiringSection(html, report);

        html.Append("<p style=\"margin:16px 0 0 0;font-size:12px;color:").Append(Muted).Append("\">")
            .Append("Anomalies: the modified z-score (Iglewicz and Hoaglin) of each complete day's count and value against the median ")
            .Append("and median absolute deviation of the other complete days of the window (the same weekday in windows of five weeks and more); ")
            .Append("flagged beyond ").Append(Encode(report.Threshold.ToString("0.##", Invariant)))
            .Append(". Partial days (today, the first day of an hour window) are not judged.")
            .Append(report.Period != null ? " A calendar period's days are judged against its other days and the four weeks before it." : "")
            .Append(report.BaselineNote != null ? " " + Encode(report.BaselineNote) : "")
            .Append(" Made by GiftStudio.</p>\n")
            .Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Totals(StringBuilder html, CurrencyReport report)
    {
        html.Append("<h2 style=\"font-size:18px;margin:16px 0 8px 0\">Totals</h2>\n");
        foreach (var metric in report.Metrics)
        {
            var s = metric.Summary;
            html.Append("<div style=\"").Append(Column).Append("\">\n")
                .Append("<table class=\"totals\" id=\"totals-").Append(Encode(s.Metric)).Append("\" style=\"").Append(TableStyle).Append(";width:100%\">\n")
                .Append("<caption style=\"text-align:left;font-weight:bold;padding:0 0 4px 0\">").Append(Encode(s.Metric)).Append("</caption>\n")
                .Append("<thead><tr>").Append(Head("")).Append(Head(report.Period != null ? "This period" : "This window")).Append(Head(report.Period != null ? "Previous " + report.Period.Previous().Label : "Previous window")).Append(Head("Change")).Append("</tr></thead>\n<tbody>\n");
            TotalRow(html, "Count", s.TotalGifts, metric.PreviousCount);
            TotalRow(html, "Value", s.TotalValue, metric.PreviousValue);
            // A calendar period is added up from daily rows: who received and which tier cannot be had.
            var notAvailable = s.Partial != null ? "n/a (calendar period)" : null;
            html.Append("<tr>").Append(Cell("Unique recipients")).Append(s.UniqueRecipients is long r ? Number(r) : Cell(notAvailable ?? "—")).Append(Cell("—")).Append(Cell("")).Append("</tr>\n")
                .Append("<tr>").Append(Cell("Top tier")).Append(Cell(s.TopTier ?? notAvailable ?? "none")).Append(Cell("—")).Append(Cell("")).Append("</tr>\n")
                .Append("</tbody>\n</table>\n</div>\n");
        }
        html.Append("<p style=\"margin:0 0 8px 0;font-size:12px;color:").Append(Muted).Append("\">");
        if (report.ComparisonNote != null) html.Append(Encode(report.ComparisonNote)).Append(' ');
        html.Append(report.Period != null
            ? "Unique recipients and top tier are not available for a calendar period: it is added up from daily rows, and the API gives them only for whole windows ending now.</p>\n"
            : "Unique recipients and top tier are not compared: the API gives them only for windows ending now.</p>\n");
    }

    private static void TotalRow(StringBuilder html, string label, long current, long? previous)
    {
        html.Append("<tr>").Append(Cell(label)).Append(Number(current))
            .Append(previous is long p ? Number(p) : Cell("—"))
            .Append(previous is long q ? NumberText(Change(current, q)) : Cell("—"))
            .Append("</tr>\n");
    }

    /// <summary>The change in per cent, with its direction in text as well as in sign.</summary>
    internal static string Change(long current, long previous)
    {
        if (previous == 0) return current == 0 ? "no change" : "new (none before)";
        var percent = (current - previous) * 100.0 / previous;
        if (Math.Abs(percent) < 0.05) return "no change";
        return (percent > 0 ? "▲ +" : "▼ −") + Math.Abs(percent).ToString("0.0", Invariant) + " %";
    }

    private static void Daily(StringBuilder html, CurrencyReportMetric metric, double threshold)
    {
        var name = metric.Summary.Metric;
        var days = metric.Days;
        var peakCount = days.Count == 0 ? 0 : days.Max(d => d.Count);
        var peakValue = days.Count == 0 ? 0 : days.Max(d => d.Value);
        html.Append("<h2 style=\"font-size:18px;margin:16px 0 4px 0\">Daily: ").Append(Encode(name)).Append("</h2>\n")
            .Append("<p style=\"margin:0 0 8px 0;font-size:12px;color:").Append(Muted).Append("\">")
            .Append("<span style=\"color:").Append(CountColour).Append("\">■</span> count (upper bar) · ")
            .Append("<span style=\"color:").Append(ValueColour).Append("\">■</span> value (lower bar), each scaled to the largest day · ")
            .Append("shaded rows: Saturday and Sunday · ▲ High / ▼ Low: anomaly</p>\n");

        // The chart (hidden from screen readers: the table beside it has the same numbers).
        // Chart and table share the caption, header and row geometry (one line of RowHeight
        // per day, nothing wraps), so that side by side each bar is level with its table row.
        html.Append("<div style=\"").Append(ChartColumn).Append("\">\n")
            .Append("<table class=\"chart\" id=\"chart-").Append(Encode(name)).Append("\" aria-hidden=\"true\" role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"").Append(TableStyle).Append(";width:100%\">\n")
            .Append("<caption style=\"").Append(CaptionStyle).Append("\">").Append(Encode(name)).Append(" per UTC day</caption>\n")
            .Append("<thead><tr>").Append(Head("Date")).Append(Head("Count and value")).Append(Head("")).Append("</tr></thead>\n<tbody>\n");
        foreach (var day in days)
        {
            html.Append("<tr").Append(DayAttributes(day)).Append('>')
                .Append("<td class=\"date\" style=\"").Append(DateCellStyle).Append(";width:1%;white-space:nowrap\">").Append(DateText(day.Date.ToString("MM-dd", Invariant), day)).Append("</td>")
                .Append("<td style=\"").Append(CellStyle).Append(";padding:0 6px\">");
            Bar(html, "bar count", day.Count, peakCount, CountColour);
            Bar(html, "bar value", day.Value, peakValue, ValueColour);
            html.Append("</td><td class=\"mark\" style=\"").Append(NoWrapCellStyle).Append(";width:1%;font-weight:bold\">")
                .Append(Encode(Mark(day))).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");

        // The same numbers as a table; on a phone it scrolls sideways inside its box.
        html.Append("<div style=\"").Append(TableColumn).Append("\">\n")
            .Append("<table class=\"daily\" id=\"daily-").Append(Encode(name)).Append("\" style=\"").Append(TableStyle).Append(";width:100%\">\n")
            .Append("<caption style=\"").Append(CaptionStyle).Append("\">").Append(Encode(name)).Append(" per UTC day</caption>\n")
            .Append("<thead><tr>").Append(Head("Date")).Append(Head("Count")).Append(Head("Value")).Append(Head("Exp. count")).Append(Head("Exp. value")).Append(Head("Anomaly")).Append("</tr></thead>\n<tbody>\n");
        foreach (var day in days)
        {
            var anomaly = day.Anomaly == null ? "" : $"{Mark(day)} ({day.AnomalyIn})";
            html.Append("<tr").Append(DayAttributes(day)).Append('>')
                .Append("<td class=\"date\" style=\"").Append(DateCellStyle).Append("\">").Append(DateText(day.Date.ToString("yyyy-MM-dd", Invariant), day)).Append("</td>")
                .Append(Number(day.Count)).Append(Number(day.Value))
                .Append(day.ExpectedCount is double count ? Number(Whole(count)) : Cell(""))
                .Append(day.ExpectedValue is double value ? Number(Whole(value)) : Cell(""))
                .Append("<td style=\"").Append(NoWrapCellStyle).Append("\">").Append(Encode(anomaly)).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    /// <summary>An expectation in whole units (a median of an even number of days ends in .5).</summary>
    private static long Whole(double value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    /// <summary>A date cell's text: the date never breaks, and the weekday (and "partial") follow
    /// on the same line where there is room. The cell is one line high and clips what does
    /// not fit, so on a phone the weekday is dropped instead of wrapping onto a second line;
    /// no style sheet or media query is needed, which mail clients would strip.</summary>
    private static string DateText(string date, SocialCurrencyAuditDay day) =>
        "<div style=\"height:18px;overflow:hidden\"><span style=\"white-space:nowrap\">" + Encode(date) + "</span> <span class=\"weekday\">"
        + day.Date.ToString("ddd", Invariant) + (day.Complete ? "" : " (partial)") + "</span></div>";

    private static string DayAttributes(SocialCurrencyAuditDay day)
    {
        var attributes = " data-date=\"" + day.Date.ToString("yyyy-MM-dd", Invariant) + "\"";
        if (day.Anomaly != null) attributes += " data-anomaly=\"" + Encode(day.Anomaly) + "\"";
        if (day.Date.DayOfWeek == DayOfWeek.Saturday || day.Date.DayOfWeek == DayOfWeek.Sunday)
            attributes += " class=\"weekend\" bgcolor=\"" + WeekendShade + "\" style=\"background:" + WeekendShade + "\"";
        return attributes;
    }

    private static string Mark(SocialCurrencyAuditDay day) =>
        day.Anomaly == "High" ? "▲ High" : day.Anomaly == "Low" ? "▼ Low" : "";

    /// <summary>A horizontal bar: a table cell whose width is the value's share of the peak,
    /// in per cent (attribute and style, for renderers that honour only one of them).</summary>
    private static void Bar(StringBuilder html, string cssClass, long value, long peak, string colour)
    {
        var share = peak > 0 ? Math.Max(0, value) * 100.0 / peak : 0;
        var width = share.ToString("0.##", Invariant) + "%";
        html.Append("<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr>")
            .Append("<td class=\"").Append(cssClass).Append("\" data-value=\"").Append(value.ToString(Invariant)).Append("\" width=\"").Append(width)
            .Append("\" bgcolor=\"").Append(colour).Append("\" style=\"width:").Append(width).Append(";background:").Append(colour)
            .Append(";font-size:1px;line-height:1px\">").Append(share > 0 ? "&nbsp;" : "").Append("</td>")
            .Append("<td style=\"height:7px;font-size:1px;line-height:1px\">&nbsp;</td></tr></table>");
    }

    private static void LeaderboardSection(StringBuilder html, Leaderboard board)
    {
        html.Append("<h2 style=\"font-size:18px;margin:16px 0 8px 0\">Leaderboard</h2>\n")
            .Append("<div style=\"").Append(Scrolls).Append("\">\n")
            .Append("<table class=\"leaderboard\" id=\"leaderboard\" style=\"").Append(TableStyle).Append("\">\n")
            .Append("<caption style=\"text-align:left;padding:0 0 4px 0;color:").Append(Muted).Append("\">Top ")
            .Append(board.Entries.Count.ToString(Invariant)).Append(" of ").Append(board.Total.ToString("N0", Invariant)).Append(" users with a score</caption>\n")
            .Append("<thead><tr>").Append(Head("Rank")).Append(Head("User")).Append(Head("Score")).Append(Head("Tier")).Append("</tr></thead>\n<tbody>\n");
        foreach (var entry in board.Entries)
        {
            html.Append("<tr>").Append(Number(entry.Rank)).Append(Cell(entry.UserId)).Append(Number(entry.Score)).Append(Cell(entry.TierName)).Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    private static void ExpiringSection(StringBuilder html, CurrencyReport report)
    {
        html.Append("<h2 style=\"font-size:18px;margin:16px 0 8px 0\">Campaigns expiring within ")
            .Append(((int)CurrencyReport.ExpiringWithin.TotalDays).ToString(Invariant)).Append(" days</h2>\n");
        if (report.Expiring.Count == 0)
        {
            html.Append("<p id=\"expiring-none\" style=\"margin:0\">None.</p>\n");
            return;
        }
        html.Append("<div style=\"").Append(Scrolls).Append("\">\n")
            .Append("<table class=\"expiring\" id=\"expiring\" style=\"").Append(TableStyle).Append("\">\n")
            .Append("<thead><tr>").Append(Head("Expires (UTC)")).Append(Head("Gift")).Append(Head("Name")).Append(Head("Tier")).Append(Head("Reward")).Append("</tr></thead>\n<tbody>\n");
        foreach (var gift in report.Expiring)
        {
            html.Append("<tr>").Append(Cell(gift.Expires?.ToString("yyyy-MM-dd HH:mm", Invariant) ?? ""))
                .Append(Cell(gift.GiftId)).Append(Cell(gift.Name)).Append(Cell(gift.Tier)).Append(Number(gift.Reward)).Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    private static string Head(string text) => "<th scope=\"col\" style=\"" + HeadStyle + "\">" + Encode(text) + "</th>";
    private static string Cell(string text) => "<td style=\"" + CellStyle + "\">" + Encode(text) + "</td>";
    private static string Number(long value) => NumberText(value.ToString("N0", Invariant));
    private static string NumberText(string text) => "<td style=\"" + NumberStyle + "\">" + Encode(text) + "</td>";

    /// <summary>Every text that reaches the page (gift names are user input) is encoded.</summary>
    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
