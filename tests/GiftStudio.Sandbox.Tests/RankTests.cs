using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Ranks come from an in-memory index, not a walk over the users above; they must
/// agree with a brute-force count over the data file, through updates, refusals (rolled
/// back) and a restart.</summary>
public sealed class RankTests
{
    [Fact]
    public async Task Ranks_match_a_brute_force_count_through_updates_refusals_and_restart()
    {
        using var data = new TempData();
        var start = new SandboxStart { DataPath = data.Path, Now = "2026-02-20T14:00:00Z", ExtraArgs = new[] { "--seed", "150,10,600" } };
        await using (var server = await SandboxProcess.StartAsync(start))
        {
            var k1 = server.Client("K1");
            var random = new Random(7);
            for (var i = 0; i < 120; i++)
            {
                var user = "rank.user" + random.Next(40);
                var value = random.Next(-300, 600);
                if (value == 0) value = 1;
                // Some of these take a score below zero: refused (422), rolled back, no change.
                var answer = await k1.ScoreAsync(user, value, value > 0 && i % 2 == 0 ? "gift_redeemed" : "adjustment");
                Assert.True(answer.Status is 200 or 422, answer.ToString());
                if (answer.Status == 200)
                    Assert.Equal(BruteForceRank(data.Path, user), answer.Json.GetProperty("rank").GetInt64());
            }
            await AssertAllRanksMatchAsync(k1, data.Path);
        }
        await using (var restarted = await SandboxProcess.StartAsync(start))
        {
            await AssertAllRanksMatchAsync(restarted.Client("K1"), data.Path);
        }
    }

    private static async Task AssertAllRanksMatchAsync(System.Net.Http.HttpClient client, string dataPath)
    {
        foreach (var user in Users(dataPath))
        {
            var answer = await client.GetScoreAsync(user);
            Assert.True(answer.Status == 200, answer.ToString());
            Assert.True(BruteForceRank(dataPath, user) == answer.Json.GetProperty("rank").GetInt64(), $"rank of {user}: {answer}");
        }
    }

    private static List<string> Users(string dataPath)
    {
        using var connection = Open(dataPath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM users WHERE tenant_id = (SELECT id FROM tenants ORDER BY id LIMIT 1);";
        using var reader = command.ExecuteReader();
        var users = new List<string>();
        while (reader.Read()) users.Add(reader.GetString(0));
        return users;
    }

    /// <summary>1 + users of the same tenant with a strictly higher score, straight from the file.</summary>
    private static long BruteForceRank(string dataPath, string user)
    {
        using var connection = Open(dataPath);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT 1 + count(*) FROM users o, users u
            WHERE u.user_id = $u AND u.tenant_id = (SELECT id FROM tenants ORDER BY id LIMIT 1)
              AND o.tenant_id = u.tenant_id AND o.score > u.score;
            """;
        command.Parameters.AddWithValue("$u", user);
        return (long)command.ExecuteScalar()!;
    }

    private static SqliteConnection Open(string dataPath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dataPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
