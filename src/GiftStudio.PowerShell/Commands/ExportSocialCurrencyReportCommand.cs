using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using GiftStudio.Reports;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Export-SocialCurrencyReport: the currency audit of both metrics, the leaderboard
/// and the campaigns about to expire, as one self-contained HTML page (a file, or with
/// -AsString the HTML text, e.g. for a mail body).</summary>
[Cmdlet(VerbsData.Export, "SocialCurrencyReport", DefaultParameterSetName = "Path", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { "Path" })]
[OutputType(typeof(string), ParameterSetName = new[] { "AsString" })]
public sealed class ExportSocialCurrencyReportCommand : SocialCmdlet
{
    /// <summary>The HTML file to write (replaced when it exists).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Write the HTML as one string instead of a file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "AsString")]
    public SwitchParameter AsString { get; set; }

    /// <summary>Nh or Nd, as Get-SocialCurrencyAudit takes it; default 30d.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(WindowCompleter))]
    public string Window { get; set; } = "30d";

    /// <summary>A calendar month, yyyy-MM (e.g. 2026-11), compared with the month before.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonthCompleter))]
    public string? Month { get; set; }

    /// <summary>A calendar quarter, yyyyQn (e.g. 2026Q3), compared with the quarter before.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(QuarterCompleter))]
    public string? Quarter { get; set; }

    /// <summary>The period's first UTC day (yyyy-MM-dd), with -To; compared with as many days before.</summary>
    [Parameter]
    public object? From { get; set; }

    /// <summary>The period's last UTC day, inclusive, with -From.</summary>
    [Parameter]
    public object? To { get; set; }

    /// <summary>How many leaderboard entries to show.</summary>
    [Parameter]
    [ValidateRange(1, StrictInput.MaxLimit)]
    public int Top { get; set; } = 10;

    /// <summary>The anomaly threshold of the daily rows (see Get-SocialCurrencyAudit).</summary>
    [Parameter]
    [ValidateRange(0.1, 100.0)]
    public double AnomalyThreshold { get; set; } = CurrencyAnomalies.DefaultThreshold;

    /// <summary>Write the file's FileInfo.</summary>
    [Parameter(ParameterSetName = "Path")]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var period = CurrencyPeriod.FromParameters(MyInvocation.BoundParameters.ContainsKey(nameof(Window)), Month, Quarter, Unwrap(From), Unwrap(To));
            var window = period == null ? StrictInput.Window(Window) : null;
            var target = AsString ? null : GetUnresolvedProviderPathFromPSPath(Path);
            if (target != null && !ShouldProcess(target, "Write the currency report")) return;
            var report = Run((client, cancel) => period != null
                ? CurrencyReport.CollectAsync(client, period, Top, AnomalyThreshold, DateTime.UtcNow, cancel)
                : CurrencyReport.CollectAsync(client, window!, Top, AnomalyThreshold, DateTime.UtcNow, cancel));
            var html = CurrencyReportHtml.Render(report);
            if (target == null)
            {
                WriteObject(html);
                return;
            }
            File.WriteAllText(target, html, new UTF8Encoding(false));
            // The provider's item, so the file formats as Get-Item shows it.
            if (PassThru) WriteObject(InvokeProvider.Item.Get(new[] { target }, false, true), true);
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, AsString ? (object?)(Month ?? Quarter ?? (From != null || To != null ? $"{Unwrap(From)}..{Unwrap(To)}" : Window)) : Path);
        }
    }
}
