using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>--seed USERS,DAYS[,EVENTS]: a history for the first key's tenant. Its analytics (daily
/// roll-up for past days, ledger scan for today, latest-event index for recipients) are checked
/// against the raw ledger read straight from the data file.</summary>
public sealed class SeedTests
{
    private const long DayMs = 86_400_000;
    private const string Now = "2026-02-20T14:00:00Z";

    [Fact]
    public async Task A_seed_is_in_the_data_file_itself_before_the_sandbox_listens()
    {
        // Killed at once after its start, the sandbox leaves its seed in the data file, not in
        // the write-ahead log (where every read would look it up and the next start replay it).
        using var data = new TempData();
        await using (var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = Now, ExtraArgs = new[] { "--seed", "60,20,1500" } }))
        {
            var wal = new System.IO.FileInfo(data.Path + "-wal");
            Assert.True(!wal.Exists || wal.Length == 0, $"The log holds {wal.Length} bytes after the seed.");
            Signals.Kill(server.Pid, Signals.SIGKILL);
        }
        await using var ledger = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = data.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await ledger.OpenAsync();
        Assert.Equal(1501L, Query(ledger, "SELECT count(*) FROM events;", r => r.GetInt64(0)).Single());
    }

    [Fact]
    public async Task Seeded_history_analytics_match_the_raw_ledger()
    {
        using var data = new TempData();
        await using var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = Now, ExtraArgs = new[] { "--seed", "60,20,1500" } });
        Assert.Contains(server.StdoutLines, l => l.StartsWith("Seeded 60 users, 1500 events over 20 days", StringComparison.Ordinal));
        var k1 = server.Client("K1");
        var todayDay = DateTimeOffset.Parse(Now, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / DayMs;

        await using var ledger = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = data.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await ledger.OpenAsync();
        var tenants = Query(ledger, "SELECT DISTINCT tenant_id FROM events;", r => r.GetInt64(0));
        var tenant = Assert.Single(tenants);
        Assert.Equal(1501L, Query(ledger, $"SELECT count(*) FROM events WHERE tenant_id = {tenant};", r => r.GetInt64(0)).Single());

        foreach (var metric in new[] { "gifts_redeemed", "points_awarded" })
        {
            var filter = metric == "gifts_redeemed" ? "action = 1" : "value > 0";
            foreach (var days in new[] { 1, 2, 7, 20, 30, 365 })
            {
                var fromMs = (todayDay - (days - 1)) * DayMs;
                var where = $"tenant_id = {tenant} AND at_ms >= {fromMs} AND {filter}";
                var expectedDays = Query(ledger, $"SELECT at_ms / {DayMs}, count(*), sum(value) FROM events WHERE {where} GROUP BY 1;",
                    r => (Day: r.GetInt64(0), Count: r.GetInt64(1), Value: r.GetInt64(2))).ToDictionary(x => x.Day);
                var unique = Query(ledger, $"SELECT count(DISTINCT user_ref) FROM events WHERE {where};", r => r.GetInt64(0)).Single();
                var top = Query(ledger, $"SELECT tier FROM events WHERE {where} GROUP BY tier ORDER BY count(*) DESC, tier DESC LIMIT 1;", r => r.GetInt32(0));

                var audit = await k1.CurrencyOkAsync(metric, $"{days}d");

                var rows = audit.GetProperty("daily").EnumerateArray().ToList();
                Assert.Equal(days, rows.Count);
                for (var i = 0; i < days; i++)
                {
                    var day = todayDay - i;
                    var (count, value) = expectedDays.TryGetValue(day, out var e) ? (e.Count, e.Value) : (0L, 0L);
                    Assert.Equal(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(day * DayMs).UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rows[i].Str("date"));
                    Assert.True(count == rows[i].Int("count") && value == rows[i].Int("value"),
                        $"{metric} {days}d {rows[i].Str("date")}: ledger ({count}, {value}), API {rows[i].GetRawText()}");
                }
                var summary = audit.GetProperty("summary");
                Assert.Equal(expectedDays.Values.Sum(x => x.Count), summary.Int("total_gifts"));
                Assert.Equal(expectedDays.Values.Sum(x => x.Value), summary.Int("total_value"));
                Assert.True(unique == summary.Int("unique_recipients"), $"{metric} {days}d: ledger has {unique} recipients, API {summary.GetRawText()}");
                Assert.Equal(top.Count == 0 ? null : new[] { "bronze", "silver", "gold", "platinum" }[top[0]], summary.Str("top_tier"));
            }
        }

        // Every user of the ledger has a score; their scores are the ledger's running totals.
        var board = await k1.LeaderboardAsync(1000);
        var users = Query(ledger, $"SELECT u.user_id, (SELECT e.current FROM events e WHERE e.user_ref = u.id ORDER BY e.id DESC LIMIT 1) FROM users u WHERE u.tenant_id = {tenant};",
            r => (User: r.GetString(0), Score: r.GetInt64(1))).ToDictionary(x => x.User, x => x.Score, StringComparer.Ordinal);
        Assert.Equal(users.Count, board.Int("total"));
        foreach (var entry in board.GetProperty("entries").EnumerateArray())
            Assert.Equal(users[entry.Str("userId")!], entry.Int("score"));
    }

    [Fact]
    public async Task Seed_fills_only_the_first_key_keeps_the_published_example_and_never_reseeds()
    {
        using var data = new TempData();
        string boardBefore;
        await using (var first = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = Now, ExtraArgs = new[] { "--seed", "30,5" } }))
        {
            var k1 = first.Client("K1");
            var alice = await k1.GetScoreAsync("alice.kred");
            alice.IsOk();
            Assert.Equal(200, alice.Json.Int("current"));
            Assert.Equal("bronze", alice.Json.Str("tier_name"));
            Assert.Equal(0, (await first.Client("K2").LeaderboardAsync()).Int("total"));
            Assert.Empty(await first.Client("K2").ListAllGiftsAsync(100));
            var gifts = await k1.ListAllGiftsAsync(1000);
            Assert.NotEmpty(gifts);
            Assert.All(gifts, Shape.Gift);
            Assert.Contains(gifts, g => g.Str("name") == "Welcome Pack" && g.Str("tier") == "gold" && g.Int("reward") == 500);
            boardBefore = (await k1.FetchAsync($"{SandboxCalls.Analytics}?type=leaderboard&metric=tier&limit=1000")).Text;
            Assert.True(JsonDocument.Parse(boardBefore).RootElement.Int("total") >= 2);
        }

        await using var again = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = Now, ExtraArgs = new[] { "--seed", "30,5" } });
        Assert.Contains(again.StdoutLines, l => l.Contains("left it as it is", StringComparison.Ordinal));
        var client = again.Client("K1");
        Assert.Equal(boardBefore, (await client.FetchAsync($"{SandboxCalls.Analytics}?type=leaderboard&metric=tier&limit=1000")).Text);

        // The published example on top of the seed: 200 -> 700 is gold.
        var example = await client.PostJsonAsync(SandboxCalls.Score, """{ "userId": "alice.kred", "metric": "tier", "action": "gift_redeemed", "value": 500 }""");
        example.IsOk();
        Assert.Equal((200L, 700L, "gold"), (example.Json.Int("previous"), example.Json.Int("current"), example.Json.Str("tier_name")));
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read()) list.Add(read(reader));
        return list;
    }
}
