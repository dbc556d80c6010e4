using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using GiftStudio.Reports;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>Calendar periods against the real sandbox, its clock standing still (--now,
/// --clock manual) and moved day by day while the test writes a known history: events on
/// every day, at the first and the last second of each day. Each day's events go to users of
/// that day only, so the ledger's own per-user scores (GET /gamification/score, an extension
/// route, not the analytics code) say how much each day carried.</summary>
public sealed class CurrencyPeriodTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 9, 28, 12, 0, 0, DateTimeKind.Utc);

    private SandboxProcess _sandbox = null!;
    private SocialOsClient _client = null!;
    private DateTime _now = Start;
    /// <summary>The known history: per UTC day, how many redemptions and adjustments were written.</summary>
    private readonly Dictionary<DateTime, (int Redeemed, int Adjusted)> _written = new();

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxProcess.StartAsync(new SandboxStart
        {
            Keys = new[] { Clients.Key },
            Now = Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ExtraArgs = new[] { "--clock", "manual" },
        });
        _client = Clients.Create(_sandbox.ApiUri);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task A_month_ending_today_a_month_past_a_quarter_across_the_new_year_and_a_leap_day_add_up_to_the_ledger()
    {
        // November, read on its last day: it runs into today and is not complete.
        await WriteHistoryUntil(new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc));
        var endingToday = await Summary("gifts_redeemed", CurrencyPeriod.Month("2026-11"));
        Assert.False(endingToday.Complete);
        await AssertLedgerTotals(endingToday, "gifts_redeemed");

        // November, read on 2 December (the prompt of the issue): complete, from a 32-day window.
        await WriteHistoryUntil(new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc));
        foreach (var metric in StrictInput.Metrics)
        {
            var november = await Summary(metric, CurrencyPeriod.Month("2026-11"));
            Assert.True(november.Complete);
            Assert.Equal("32d", november.Window);
            Assert.Equal((new DateTime(2026, 11, 1), new DateTime(2026, 11, 30), 30), (november.PeriodStart, november.PeriodEnd, november.Days));
            Assert.Null(november.UniqueRecipients);
            Assert.Null(november.TopTier);
            Assert.Equal("UniqueRecipients, TopTier", november.Partial);
            await AssertLedgerTotals(november, metric);
        }

        // The report compares November with October, from one window reaching 1 October.
        var report = await CurrencyReport.CollectAsync(_client, CurrencyPeriod.Month("2026-11"), 3, CurrencyAnomalies.DefaultThreshold, DateTime.UtcNow);
        Assert.Null(report.ComparisonNote);
        var october = CurrencyPeriod.Month("2026-10");
        foreach (var metric in report.Metrics)
        {
            var (count, value) = await LedgerTotals(october, metric.Summary.Metric);
            Assert.Equal((count, value), (metric.PreviousCount!.Value, metric.PreviousValue!.Value));
            Assert.Equal(30, metric.Days.Count);
        }

        // The fourth quarter, read in January (the window crosses the new year), and a
        // period of days across it.
        await WriteHistoryUntil(new DateTime(2027, 1, 5, 0, 0, 0, DateTimeKind.Utc));
        var quarter = await Summary("points_awarded", CurrencyPeriod.Quarter("2026Q4"));
        Assert.True(quarter.Complete);
        Assert.Equal((new DateTime(2026, 10, 1), new DateTime(2026, 12, 31), 92), (quarter.PeriodStart, quarter.PeriodEnd, quarter.Days));
        await AssertLedgerTotals(quarter, "points_awarded");
        var acrossNewYear = await Summary("gifts_redeemed", CurrencyPeriod.Range(new DateTime(2026, 12, 30), new DateTime(2027, 1, 2)));
        Assert.Equal(4, acrossNewYear.Days);
        await AssertLedgerTotals(acrossNewYear, "gifts_redeemed");

        // A leap year: February has 29 days, and 365 days back from 2 March 2028 is 4 March 2027.
        await MoveClockTo(new DateTime(2028, 2, 27, 12, 0, 0, DateTimeKind.Utc));
        await WriteHistoryUntil(new DateTime(2028, 3, 2, 0, 0, 0, DateTimeKind.Utc));
        var leapDay = await Summary("gifts_redeemed", CurrencyPeriod.Range(new DateTime(2028, 2, 29), new DateTime(2028, 2, 29)));
        Assert.Equal((1, "3d"), (leapDay.Days, leapDay.Window));
        Assert.True(leapDay.TotalGifts > 0);
        await AssertLedgerTotals(leapDay, "gifts_redeemed");
        var february = await Summary("points_awarded", CurrencyPeriod.Month("2028-02"));
        Assert.Equal(29, february.Days);
        await AssertLedgerTotals(february, "points_awarded");
        var earliest = await Summary("gifts_redeemed", CurrencyPeriod.Range(new DateTime(2027, 3, 4), new DateTime(2027, 3, 4)));
        Assert.Equal("365d", earliest.Window);
        var tooFar = await Assert.ThrowsAsync<SocialOsInputException>(() => Summary("gifts_redeemed", CurrencyPeriod.Range(new DateTime(2027, 3, 3), new DateTime(2027, 3, 4))));
        Assert.Equal(ErrorIds.PeriodTooFarBack, tooFar.ErrorId);
        Assert.Contains("2027-03-04 at the earliest", tooFar.Message);
    }

    [Fact]
    public async Task Each_limit_is_its_own_error_naming_the_limit()
    {
        await WriteHistoryUntil(new DateTime(2026, 9, 30, 0, 0, 0, DateTimeKind.Utc));

        var future = await Assert.ThrowsAsync<SocialOsInputException>(() => Summary("gifts_redeemed", CurrencyPeriod.Month("2026-10")));
        Assert.Equal(ErrorIds.PeriodInFuture, future.ErrorId);
        Assert.Contains("after today (2026-09-30 UTC)", future.Message);

        var tooFar = await Assert.ThrowsAsync<SocialOsInputException>(() => Summary("gifts_redeemed", CurrencyPeriod.Month("2025-09")));
        Assert.Equal(ErrorIds.PeriodTooFarBack, tooFar.ErrorId);
        Assert.Contains("365 days", tooFar.Message);
        Assert.Contains("2025-10-01 at the earliest", tooFar.Message);

        var reversed = Assert.Throws<SocialOsInputException>(() => CurrencyPeriod.Range(new DateTime(2026, 9, 29), new DateTime(2026, 9, 28)));
        Assert.Equal(ErrorIds.PeriodFromAfterTo, reversed.ErrorId);
        Assert.Contains("From (2026-09-29) is after To (2026-09-28)", reversed.Message);

        // This month, on its 30th day: read up to now and not complete.
        var september = await Summary("gifts_redeemed", CurrencyPeriod.Month("2026-09"));
        Assert.False(september.Complete);
        Assert.Equal(new DateTime(2026, 9, 30), september.PeriodEnd);
        await AssertLedgerTotals(september, "gifts_redeemed");
    }

    [Fact]
    public async Task Daily_rows_of_a_period_are_judged_against_the_weeks_before_it_and_say_when_there_were_none()
    {
        await WriteHistoryUntil(new DateTime(2026, 11, 3, 0, 0, 0, DateTimeKind.Utc));
        var period = CurrencyPeriod.Range(new DateTime(2026, 10, 26), new DateTime(2026, 11, 1));

        var read = await CurrencyPeriodAudit.ReadAsync(_client, "gifts_redeemed", period, CurrencyPeriodAudit.BaselineDaysBefore, DateTime.UtcNow);
        var days = read.JudgedDaysOf(period, CurrencyAnomalies.DefaultThreshold);

        Assert.Equal(28, read.DaysBefore(period));
        Assert.Null(read.BaselineNote(period));
        Assert.Equal(7, days.Count);
        Assert.All(days, d => Assert.True(d.Complete));
        // A week alone is too short to judge; with the four weeks before it every day is judged.
        Assert.All(days, d => Assert.NotNull(d.ExpectedCount));

        // The same kind of week read almost a year later: 365 days back reach only 10 days
        // before it, and the note says so.
        var early = CurrencyPeriod.Range(new DateTime(2026, 10, 1), new DateTime(2026, 10, 7));
        await MoveClockTo(new DateTime(2027, 9, 20, 12, 0, 0, DateTimeKind.Utc));
        var late = await CurrencyPeriodAudit.ReadAsync(_client, "gifts_redeemed", early, CurrencyPeriodAudit.BaselineDaysBefore, DateTime.UtcNow);
        Assert.Equal(365, late.Rows.Count);
        Assert.Contains("holds 10 days before the period, not 28", late.BaselineNote(early));
    }

    /// <summary>As the cmdlet reads it: this machine's day as the first guess of the server's.</summary>
    private async Task<SocialCurrencyAudit> Summary(string metric, CurrencyPeriod period) =>
        (await CurrencyPeriodAudit.ReadAsync(_client, metric, period, 0, DateTime.UtcNow)).Summarize(period);

    private async Task AssertLedgerTotals(SocialCurrencyAudit summary, string metric)
    {
        var period = CurrencyPeriod.Range(summary.PeriodStart, summary.PeriodEnd < _now.Date ? summary.PeriodEnd : _now.Date);
        var (count, value) = await LedgerTotals(period, metric);
        Assert.True(count > 0);
        Assert.Equal((count, value), (summary.TotalGifts, summary.TotalValue));
    }

    /// <summary>The period's count from the known history and its value from the ledger: the
    /// scores of the users who received only on those days.</summary>
    private async Task<(long Count, long Value)> LedgerTotals(CurrencyPeriod period, string metric)
    {
        long count = 0, value = 0;
        foreach (var (day, written) in _written.Where(w => w.Key >= period.From && w.Key <= period.To))
        {
            count += written.Redeemed + (metric == "points_awarded" ? written.Adjusted : 0);
            value += (await _client.GetTierScoreAsync(User("r", day))).Current;
            if (metric == "points_awarded" && written.Adjusted > 0) value += (await _client.GetTierScoreAsync(User("a", day))).Current;
        }
        return (count, value);
    }

    /// <summary>Writes every day from the clock's day up to <paramref name="today"/>, leaving
    /// the clock at noon of that day: a redemption at 00:00:00 and one at 23:59:59 of each
    /// day, a third one and an adjustment on some days.</summary>
    private async Task WriteHistoryUntil(DateTime today)
    {
        while (true)
        {
            var day = _now.Date;
            var n = day.DayOfYear;
            await Redeem(day, 10 * (1 + n % 7));
            if (n % 3 == 0) await Redeem(day, 500);
            if (n % 2 == 0) await Adjust(day, 5 * (1 + n % 4));
            if (day >= today.Date) return;
            await MoveClockTo(day.AddDays(1).AddSeconds(-1));
            await Redeem(day, 25);
            await MoveClockTo(day.AddDays(1));
            await Redeem(day.AddDays(1), 15);
            await MoveClockTo(day.AddDays(1).AddHours(12));
        }
    }

    private async Task Redeem(DateTime day, long value)
    {
        await _client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = User("r", day), Action = ScoreActions.GiftRedeemed, Value = value });
        _written[day] = _written.TryGetValue(day, out var w) ? (w.Redeemed + 1, w.Adjusted) : (1, 0);
    }

    private async Task Adjust(DateTime day, long value)
    {
        await _client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = User("a", day), Action = ScoreActions.Adjustment, Value = value });
        _written[day] = _written.TryGetValue(day, out var w) ? (w.Redeemed, w.Adjusted + 1) : (0, 1);
    }

    private static string User(string kind, DateTime day) => kind + "-" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private async Task MoveClockTo(DateTime instant)
    {
        while (_now < instant)
        {
            var step = Math.Min((instant - _now).TotalSeconds, 366 * 86400);
            var reply = await _sandbox.Client(Clients.Key).PostAsync("/_sandbox/clock?advance=" + step.ToString(CultureInfo.InvariantCulture), new StringContent(""));
            reply.EnsureSuccessStatusCode();
            _now = _now.AddSeconds(step);
        }
    }
}
