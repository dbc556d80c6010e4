using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;
using static GiftStudio.Sandbox.Storage.Statements;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The currency audit (GET /v2/analytics?type=currency) and the daily roll-up of the
/// ledger it reads, kept by every score event.</summary>
internal static class CurrencyAudit
{
    /// <summary>Adds one ledger event to its day's roll-up (inside the writer's savepoint of the event).</summary>
    public static void RollUp(SqliteConnection c, long tenant, CurrencyMetric metric, long atMs, int tier, long value) =>
        Command(c, """
            INSERT INTO daily_totals (tenant_id, metric, day, tier, count, value) VALUES ($t, $m, $day, $tier, 1, $value)
            ON CONFLICT (tenant_id, metric, day, tier) DO UPDATE SET count = count + 1, value = value + excluded.value;
            """, ("$t", tenant), ("$m", metric.Key), ("$day", atMs / SandboxStore.DayMs), ("$tier", tier), ("$value", value)).ExecuteNonQuery();

    /// <summary>Whole past days come from the daily roll-up; the partial first day (Nh) and
    /// today come from a range scan of the ledger's covering index; unique recipients from
    /// the users' latest-event index. Each part is exact, and all count the same events.</summary>
    public static CurrencyAuditDto Read(SqliteConnection c, long tenant, CurrencyMetric metric, Window window)
    {
        var byDay = new Dictionary<long, (long Count, long Value)>();
        var byTier = new long[TierRules.Names.Count];
        void Add(long day, int tier, long count, long value)
        {
            var (dayCount, dayValue) = byDay.GetValueOrDefault(day);
            byDay[day] = (dayCount + count, dayValue + value);
            byTier[tier] += count;
        }

        var today = window.ToMs / SandboxStore.DayMs;
        var firstWholeDay = (window.FromMs + SandboxStore.DayMs - 1) / SandboxStore.DayMs;
        var ranges = new List<(long From, long To)>();
        if (firstWholeDay < today)
        {
            // Today's roll-up is exact unless some event of today lies after the window's end (a
            // --now earlier than the newest event): then, and only then, today is scanned. A scan
            // reads every event of today, which a busy day makes the slowest part of a request.
            var todayRolled = !HasEventBetween(c, tenant, window.ToMs + 1, (today + 1) * SandboxStore.DayMs - 1);
            using (var rolled = Command(c, "SELECT day, tier, count, value FROM daily_totals WHERE tenant_id = $t AND metric = $m AND day >= $first AND day <= $last;",
                ("$t", tenant), ("$m", metric.Key), ("$first", firstWholeDay), ("$last", todayRolled ? today : today - 1)).ExecuteReader())
            {
                while (rolled.Read()) Add(rolled.GetInt64(0), rolled.GetInt32(1), rolled.GetInt64(2), rolled.GetInt64(3));
            }
            if (window.FromMs < firstWholeDay * SandboxStore.DayMs) ranges.Add((window.FromMs, firstWholeDay * SandboxStore.DayMs - 1));
            if (!todayRolled) ranges.Add((today * SandboxStore.DayMs, window.ToMs));
        }
        else
        {
            ranges.Add((window.FromMs, window.ToMs));
        }
        foreach (var (from, to) in ranges)
        {
            using var scanned = Command(c, $"SELECT at_ms / {SandboxStore.DayMs}, tier, count(*), sum(value) FROM events WHERE tenant_id = $t AND at_ms >= $from AND at_ms <= $to AND {metric.EventFilter} GROUP BY 1, 2;",
                ("$t", tenant), ("$from", from), ("$to", to)).ExecuteReader();
            while (scanned.Read()) Add(scanned.GetInt64(0), scanned.GetInt32(1), scanned.GetInt64(2), scanned.GetInt64(3));
        }

        var lastColumn = metric.LatestColumn;
        var recipients = (long)Command(c, $"SELECT count(*) FROM users WHERE tenant_id = $t AND {lastColumn} >= $from AND {lastColumn} <= $to;",
            ("$t", tenant), ("$from", window.FromMs), ("$to", window.ToMs)).ExecuteScalar()!;

        // Most frequent redemption tier; ties go to the higher tier.
        string? topTier = null;
        long best = 0;
        for (var tier = 0; tier < byTier.Length; tier++)
        {
            if (byTier[tier] > 0 && byTier[tier] >= best) (best, topTier) = (byTier[tier], TierRules.Names[tier]);
        }

        var daily = new List<CurrencyDayDto>();
        long totalCount = 0, totalValue = 0;
        for (var day = window.LastDay; day >= window.FirstDay; day = day.AddDays(-1))
        {
            var (count, value) = byDay.GetValueOrDefault(RequestValidation.StartOfDayMs(day) / SandboxStore.DayMs);
            totalCount += count;
            totalValue += value;
            daily.Add(new CurrencyDayDto(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), count, value));
        }
        return new CurrencyAuditDto("currency", metric.Name, window.Text,
            new CurrencySummaryDto(totalCount, totalValue, recipients, topTier), daily);
    }

    private static bool HasEventBetween(SqliteConnection c, long tenant, long fromMs, long toMs) =>
        Command(c, "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = $t AND at_ms >= $from AND at_ms <= $to);",
            ("$t", tenant), ("$from", fromMs), ("$to", toMs)).ExecuteScalar() is long found && found != 0;
}
