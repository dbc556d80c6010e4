using System;
using System.Management.Automation;
using GiftStudio.Reports;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Get-SocialCurrencyAudit: the currency flow over a window, or over a calendar
/// period (-Month, -Quarter, -From/-To), as one summary or, with -Daily, one flat row per
/// UTC day (newest first).</summary>
[Cmdlet(VerbsCommon.Get, "SocialCurrencyAudit", DefaultParameterSetName = "Summary")]
[OutputType(typeof(SocialCurrencyAudit), ParameterSetName = new[] { "Summary" })]
[OutputType(typeof(SocialCurrencyAuditDay), ParameterSetName = new[] { "Daily" })]
public sealed class GetSocialCurrencyAuditCommand : SocialCmdlet
{
    /// <summary>The type name of a calendar period's summary: its own default view shows the
    /// two fields daily rows cannot give as "n/a (calendar period)".</summary>
    public const string PeriodTypeName = "GiftStudio.SocialCurrencyAudit#CalendarPeriod";

    /// <summary>gifts_redeemed (default) or points_awarded.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(MetricCompleter))]
    public string Metric { get; set; } = "gifts_redeemed";

    /// <summary>Nh (hours) or Nd (whole UTC days ending today); default 7d.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(WindowCompleter))]
    public string Window { get; set; } = "7d";

    /// <summary>A calendar month, yyyy-MM (e.g. 2026-11).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonthCompleter))]
    public string? Month { get; set; }

    /// <summary>A calendar quarter, yyyyQn (e.g. 2026Q3).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(QuarterCompleter))]
    public string? Quarter { get; set; }

    /// <summary>The period's first UTC day (yyyy-MM-dd), with -To.</summary>
    [Parameter]
    public object? From { get; set; }

    /// <summary>The period's last UTC day, inclusive, with -From.</summary>
    [Parameter]
    public object? To { get; set; }

    /// <summary>Write the daily rows instead of the summary.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Daily")]
    public SwitchParameter Daily { get; set; }

    /// <summary>Flag a complete day whose count or value deviates by more than this many
    /// robust standard deviations (modified z-score) from the other complete days.</summary>
    [Parameter(ParameterSetName = "Daily")]
    [ValidateRange(0.1, 100.0)]
    public double AnomalyThreshold { get; set; } = CurrencyAnomalies.DefaultThreshold;

    protected override void ProcessRecord()
    {
        try
        {
            var metric = StrictInput.OneOf(Metric, "Metric", StrictInput.Metrics);
            var period = CurrencyPeriod.FromParameters(MyInvocation.BoundParameters.ContainsKey(nameof(Window)), Month, Quarter, Unwrap(From), Unwrap(To));
            if (period != null)
            {
                WritePeriod(metric, period);
                return;
            }
            var window = StrictInput.Window(Window);
            var report = Run((client, cancel) => client.GetCurrencyAuditAsync(metric, window, cancel));
            if (Daily)
            {
                CurrencyAnomalies.Annotate(report.Days, CurrencyAnomalies.IsHourWindow(window), AnomalyThreshold);
                foreach (var day in report.Days) WriteObject(day);
            }
            else
            {
                WriteObject(report.Summary);
            }
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, Target);
        }
    }

    private void WritePeriod(string metric, CurrencyPeriod period)
    {
        // -Daily also reads the weeks before the period: the anomaly baseline.
        var daysBefore = Daily ? CurrencyPeriodAudit.BaselineDaysBefore : 0;
        var read = Run((client, cancel) => CurrencyPeriodAudit.ReadAsync(client, metric, period, daysBefore, DateTime.UtcNow, cancel));
        if (!Daily)
        {
            var summary = PSObject.AsPSObject(read.Summarize(period));
            summary.TypeNames.Insert(0, PeriodTypeName);
            WriteObject(summary);
            return;
        }
        if (read.BaselineNote(period) is string note) WriteWarning(note);
        foreach (var day in read.JudgedDaysOf(period, AnomalyThreshold)) WriteObject(day);
    }

    private string Target => Month ?? Quarter ?? (From != null || To != null ? $"{Unwrap(From)}..{Unwrap(To)}" : $"{Metric}/{Window}");
}
