using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Get-SocialCurrencyAudit: the currency flow over a window, as one summary or,
/// with -Daily, one flat row per UTC day (newest first).</summary>
[Cmdlet(VerbsCommon.Get, "SocialCurrencyAudit", DefaultParameterSetName = "Summary")]
[OutputType(typeof(SocialCurrencyAudit), ParameterSetName = new[] { "Summary" })]
[OutputType(typeof(SocialCurrencyAuditDay), ParameterSetName = new[] { "Daily" })]
public sealed class GetSocialCurrencyAuditCommand : SocialCmdlet
{
    /// <summary>gifts_redeemed (default) or points_awarded.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(MetricCompleter))]
    public string Metric { get; set; } = "gifts_redeemed";

    /// <summary>Nh (hours) or Nd (whole UTC days ending today); default 7d.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(WindowCompleter))]
    public string Window { get; set; } = "7d";

    /// <summary>Write the daily rows instead of the summary.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Daily")]
    public SwitchParameter Daily { get; set; }

    /// <summary>Flag a complete day whose count or value deviates by more than this many
    /// robust standard deviations (modified z-score) from the other complete days.</summary>
    [Parameter(ParameterSetName = "Daily")]
    [ValidateRange(0.1, 100.0)]
    public double AnomalyThreshold { get; set; } = Reports.CurrencyAnomalies.DefaultThreshold;

    protected override void ProcessRecord()
    {
        try
        {
            var metric = StrictInput.OneOf(Metric, "Metric", StrictInput.Metrics);
            var window = StrictInput.Window(Window);
            var report = Run((client, cancel) => client.GetCurrencyAuditAsync(metric, window, cancel));
            if (Daily)
            {
                Reports.CurrencyAnomalies.Annotate(report.Days, Reports.CurrencyAnomalies.IsHourWindow(window), AnomalyThreshold);
                foreach (var day in report.Days) WriteObject(day);
            }
            else
            {
                WriteObject(report.Summary);
            }
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, $"{Metric}/{Window}");
        }
    }
}
