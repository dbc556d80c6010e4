using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>A SIGKILL in the middle of a write load, and a corpus of malformed requests.</summary>
public sealed class ReliabilityTests
{
    [Fact]
    public async Task A_kill_during_a_write_load_loses_no_answered_write_and_blocks_no_key()
    {
        using var data = new TempData();
        var start = new SandboxStart { DataPath = data.Path };
        var answered = new ConcurrentDictionary<string, long>(); // idempotency key -> value, for every 200
        var sent = new ConcurrentDictionary<string, long>();      // every key that was sent
        await using (var server = await SandboxProcess.StartAsync(start))
        {
            var client = server.NewClient("K1");
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"crash-{w}-{i}";
                    var value = 1 + (w * 7 + i) % 13;
                    sent[key] = value;
                    try
                    {
                        var content = new StringContent(SandboxCalls.ScoreBody($"crash.user{w}", value, "gift_redeemed"), Encoding.UTF8, "application/json");
                        using var request = new HttpRequestMessage(HttpMethod.Post, SandboxCalls.Score) { Content = content };
                        request.Headers.Add("Idempotency-Key", key);
                        using var response = await client.SendAsync(request);
                        if ((int)response.StatusCode == 200) answered[key] = value;
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();
            // Kill once enough writes were answered (a state, polled), not after a guessed time.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (answered.Count < 200 && DateTime.UtcNow < deadline && !writers.All(t => t.IsCompleted)) await Task.Delay(10);
            await server.KillAsync(); // SIGKILL, mid-load
            stop.Cancel();
            await Task.WhenAll(writers);
        }
        Assert.True(answered.Count > 50, $"only {answered.Count} writes were answered before the kill");

        await using (var restarted = await SandboxProcess.StartAsync(start))
        {
            var client = restarted.Client("K1");
            // Every answered write is there, with its idempotency record: a replay, not a new event.
            foreach (var (key, value) in answered)
            {
                var user = "crash.user" + key.Split('-')[1];
                var replay = await client.ScoreAsync(user, value, "gift_redeemed", idempotencyKey: key);
                Assert.True(replay.Status == 200, replay.ToString());
                Assert.Equal("true", replay.Header("Idempotent-Replayed"));
            }
            // Nothing half-written: each user's total is exactly the sum of its ledger events,
            // and the ledger holds one event per answered key at least, per sent key at most.
            var ledger = Ledger(data.Path);
            foreach (var (user, total) in ledger.Totals)
                Assert.Equal(total, await client.CurrentScoreAsync(user));
            Assert.InRange(ledger.Events, answered.Count, sent.Count);
            // A key that was in flight at the kill works afterwards: applied once, never a 409.
            foreach (var key in sent.Keys.Except(answered.Keys).Take(10))
            {
                var user = "crash.user" + key.Split('-')[1];
                var again = await client.ScoreAsync(user, sent[key], "gift_redeemed", idempotencyKey: key);
                Assert.True(again.Status == 200, again.ToString());
            }
        }
    }

    private static (Dictionary<string, long> Totals, long Events) Ledger(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT u.user_id, sum(e.value), count(*) FROM events e JOIN users u ON u.id = e.user_ref GROUP BY u.user_id;";
        using var reader = command.ExecuteReader();
        var totals = new Dictionary<string, long>();
        long events = 0;
        while (reader.Read())
        {
            totals[reader.GetString(0)] = reader.GetInt64(1);
            events += reader.GetInt64(2);
        }
        return (totals, events);
    }

    /// <summary>At least 60 malformed requests over raw HTTP: each is a 4xx problem naming the
    /// field or the rule, never a 5xx, and the data is unchanged, byte for byte of every row.</summary>
    [Fact]
    public async Task A_corpus_of_malformed_requests_gets_4xx_problems_and_changes_nothing()
    {
        using var data = new TempData();
        await using var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path, Now = "2026-02-20T14:00:00Z" });
        var client = server.Client("K1");
        var giftId = await client.NewGiftAsync();
        await client.AddScoreAsync("corpus.user", 100);
        var before = Checksum(data.Path);

        const string gifts = SandboxCalls.Gifts, score = SandboxCalls.Score;
        string Gift(string fields) => "{" + fields + "}";
        var big = new string('x', 70_000);
        var cases = new List<(string Method, string Path, string? ContentType, byte[]? Body, string Names)>
        {
            ("POST", gifts, "application/json", Utf8("{"), "body"),
            ("POST", gifts, "application/json", Utf8("{\"name\": \"x\", \"tier\": \"gold\", \"reward\": 5"), "body"),
            ("POST", gifts, "application/json", Utf8("[]"), "body"),
            ("POST", gifts, "application/json", Utf8("null"), "body"),
            ("POST", gifts, "application/json", Utf8("\"gift\""), "body"),
            ("POST", gifts, "application/json", Utf8(""), "body"),
            ("POST", gifts, "application/json", Utf8("{} {}"), "body"),
            ("POST", gifts, "application/json", Utf8("{\"name\":\"x\",}"), "body"),
            ("POST", gifts, "application/json", Utf8("{'name':'x'}"), "body"),
            ("POST", gifts, "application/json", new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }, "body"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":\"500\"")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":500.0")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5e2")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":1e400")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":99999999999999999999999999")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":-5")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":0")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":1000001")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":true")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":[5]")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"Reward\":5")), "reward"),
            ("POST", gifts, "application/json", Utf8(Gift("\"Name\":\"x\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"TIER\":\"gold\",\"reward\":5")), "tier"),
            ("POST", gifts, "application/json", Utf8(Gift("\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"   \",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"a\\u0007b\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"a\\u200Bb\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"a\\ud800b\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"a\\udc00\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift($"\"name\":\"{new string('n', 101)}\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":5,\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"diamond\",\"reward\":5")), "tier"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"\",\"reward\":5")), "tier"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"badge\":\"true\"")), "badge"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"badge\":1")), "badge"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"expires\":\"2020-01-01T00:00:00Z\"")), "expires"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"expires\":\"2026-03-20\"")), "expires"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"expires\":\"03/20/2026\"")), "expires"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"expires\":1774000000")), "expires"),
            ("POST", gifts, "application/json", Utf8(Gift("\"name\":\"x\",\"name\":\"y\",\"tier\":\"gold\",\"reward\":5")), "name"),
            ("POST", gifts, "text/plain", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5")), "Content-Type"),
            ("POST", gifts, null, Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5")), "Content-Type"),
            ("POST", gifts, "application/json; charset=latin1", Utf8(Gift("\"name\":\"x\",\"tier\":\"gold\",\"reward\":5")), "Content-Type"),
            ("POST", gifts, "application/xml", Utf8("<gift/>"), "Content-Type"),
            ("POST", gifts, "application/json", Utf8(Gift($"\"name\":\"x\",\"tier\":\"gold\",\"reward\":5,\"pad\":\"{big}\"")), "body"),
            ("POST", score, "application/json", Utf8("{\"userId\":\".\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"..\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"a'; DROP TABLE users;--\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"../../etc/passwd\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"ali ce\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"alïce\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8($"{{\"userId\":\"{new string('u', 129)}\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userid\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5}"), "userId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"xp\",\"action\":\"adjustment\",\"value\":5}"), "metric"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"bonus\",\"value\":5}"), "action"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":0}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"gift_redeemed\",\"value\":-5}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":1000001}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":\"5\"}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5.5}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":-101}"), "value"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"gift_redeemed\",\"value\":5,\"giftId\":\"gift_missing\"}"), "giftId"),
            ("POST", score, "application/json", Utf8("{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"gift_redeemed\",\"value\":5,\"giftId\":\"nope\"}"), "giftId"),
            ("POST", score, "application/json", Utf8($"{{\"userId\":\"corpus.user\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":5,\"giftId\":\"{giftId}\"}}"), "giftId"),
            ("GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=0d", null, null, "window"),
            ("GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=366d", null, null, "window"),
            ("GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=8761h", null, null, "window"),
            ("GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7w", null, null, "window"),
            ("GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=-7d", null, null, "window"),
            ("GET", "/v2/analytics?type=currency&metric=gifts", null, null, "metric"),
            ("GET", "/v2/analytics?type=revenue&metric=gifts_redeemed", null, null, "type"),
            ("GET", "/v2/analytics?type=leaderboard&metric=tier&limit=0", null, null, "limit"),
            ("GET", "/v2/analytics?type=leaderboard&metric=tier&limit=1001", null, null, "limit"),
            ("GET", "/v2/gamification/gifts?limit=abc", null, null, "limit"),
            ("GET", "/v2/gamification/gifts?cursor=garbage", null, null, "cursor"),
            ("GET", "/v2/gamification/gifts?tier=diamond", null, null, "tier"),
            ("GET", "/v2/gamification/score/a%20b", null, null, "userId"),
            ("DELETE", gifts, null, null, "DELETE"),
            ("PUT", score, "application/json", Utf8("{}"), "PUT"),
            ("PATCH", "/v2/analytics", null, null, "PATCH"),
        };
        Assert.True(cases.Count >= 60, $"the corpus has {cases.Count} requests");

        var passed = 0;
        foreach (var (method, path, contentType, body, names) in cases)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            var answer = await client.ExchangeAsync(request); // asserts: no 5xx, problem+json on every non-2xx
            Assert.True(answer.Status is >= 400 and < 500, $"{method} {path}: {answer}");
            Assert.True(answer.Text.Contains(names, StringComparison.Ordinal), $"{method} {path} does not name '{names}': {answer}");
            passed++;
        }
        Assert.Equal(before, Checksum(data.Path));
        Assert.Equal(cases.Count, passed);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>SHA-256 over every row of every table, in key order: a logical checksum that a
    /// WAL checkpoint cannot change but any changed row would.</summary>
    private static string Checksum(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in new[] { "tenants", "gifts", "users", "events", "daily_totals", "idempotency" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY 1, 2;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                    hash.AppendData(Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) + "|"));
                hash.AppendData("\n"u8);
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
