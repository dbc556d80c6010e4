using System;
using System.Linq;
using System.Threading.Tasks;
using GiftStudio.Reports;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>What the report reads, against the real sandbox (seeded, on the real clock so that
/// "expires within 7 days" means the same to client and server).</summary>
public sealed class ReportCollectionTests
{
    [Fact]
    public async Task The_report_reads_both_metrics_the_previous_window_the_leaderboard_and_the_expiring_campaigns()
    {
        await using var sandbox = await SandboxProcess.StartAsync(new SandboxStart { Keys = new[] { Clients.Key }, ExtraArgs = new[] { "--seed", "60,40" } });
        using var client = Clients.Create(sandbox.ApiUri);
        var now = DateTime.UtcNow;
        var soon = await client.CreateGiftAsync(new NewGiftRequest { Name = "Soon", Tier = "silver", Reward = 100, Expires = now.AddDays(3) });
        await client.CreateGiftAsync(new NewGiftRequest { Name = "Later", Tier = "gold", Reward = 100, Expires = now.AddDays(10) });
        await client.CreateGiftAsync(new NewGiftRequest { Name = "Never", Tier = "bronze", Reward = 100 });

        var report = await CurrencyReport.CollectAsync(client, "14d", 5, CurrencyAnomalies.DefaultThreshold, now);

        Assert.Equal(sandbox.ApiUri.Authority, report.Host);
        Assert.Equal(StrictInput.Metrics, report.Metrics.Select(m => m.Summary.Metric));
        Assert.Null(report.ComparisonNote);
        foreach (var metric in report.Metrics)
        {
            var both = await client.GetCurrencyAuditAsync(metric.Summary.Metric, "28d");
            Assert.Equal(both.Days.Skip(14).Sum(d => d.Count), metric.PreviousCount);
            Assert.Equal(both.Days.Skip(14).Sum(d => d.Value), metric.PreviousValue);
            Assert.True(metric.PreviousCount > 0);
            // The window's days, oldest first, annotated, adding up to the summary.
            Assert.Equal(14, metric.Days.Count);
            Assert.True(metric.Days.Zip(metric.Days.Skip(1)).All(p => p.First.Date < p.Second.Date));
            Assert.Equal(metric.Summary.TotalGifts, metric.Days.Sum(d => d.Count));
            Assert.False(metric.Days[^1].Complete);
            Assert.Contains(metric.Days, d => d.ShareOfPeak == 1);
        }
        Assert.Equal(5, report.Leaderboard.Entries.Count);
        Assert.Equal(new[] { soon.GiftId }, report.Expiring.Select(g => g.GiftId));
        Assert.DoesNotContain(Clients.Key, CurrencyReportHtml.Render(report));
    }

    [Theory]
    [InlineData("183d", "it needs 366 days")]
    [InlineData("48h", "only for day windows")]
    public async Task Windows_without_a_previous_one_in_reach_say_so(string window, string because)
    {
        await using var sandbox = await SandboxProcess.StartAsync(new SandboxStart { Keys = new[] { Clients.Key }, ExtraArgs = new[] { "--seed", "20,10" } });
        using var client = Clients.Create(sandbox.ApiUri);

        var report = await CurrencyReport.CollectAsync(client, window, 3, CurrencyAnomalies.DefaultThreshold, DateTime.UtcNow);

        Assert.Contains(because, report.ComparisonNote);
        Assert.All(report.Metrics, m => Assert.Null(m.PreviousCount));
        Assert.All(report.Metrics, m => Assert.Null(m.PreviousValue));
    }
}
