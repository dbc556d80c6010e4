using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>Every tenant's scores, sorted, in memory: a rank is one binary search (users
/// strictly above = count − upper bound), not a walk over every higher-ranked user. Changed
/// only by the single writer, after its rows are written; rebuilt from the table whenever a
/// write is rolled back, so it never drifts from what is committed.</summary>
public sealed class RankIndex
{
    private readonly object _gate = new();
    private Dictionary<long, List<long>> _scores = new();

    public void Rebuild(SqliteConnection c)
    {
        var scores = new Dictionary<long, List<long>>();
        using (var command = c.CreateCommand())
        {
            command.CommandText = "SELECT tenant_id, score FROM users ORDER BY tenant_id, score;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var tenant = reader.GetInt64(0);
                if (!scores.TryGetValue(tenant, out var list)) scores[tenant] = list = new List<long>();
                list.Add(reader.GetInt64(1));
            }
        }
        lock (_gate) _scores = scores;
    }

    /// <summary>A user's score changed from <paramref name="previous"/> (null: a new user).</summary>
    public void Change(long tenant, long? previous, long current)
    {
        lock (_gate)
        {
            if (!_scores.TryGetValue(tenant, out var list)) _scores[tenant] = list = new List<long>();
            if (previous is { } old)
            {
                var at = list.BinarySearch(old);
                if (at < 0) throw new InvalidOperationException($"Rank index out of step: no score {old} for tenant {tenant}.");
                list.RemoveAt(at);
            }
            var insertAt = list.BinarySearch(current);
            list.Insert(insertAt < 0 ? ~insertAt : insertAt, current);
        }
    }

    /// <summary>POST /_sandbox/reset: the tenant has no users any more.</summary>
    public void Clear(long tenant)
    {
        lock (_gate) _scores.Remove(tenant);
    }

    /// <summary>The rank rule, for this index and the leaderboard: competition rank ("1224"),
    /// 1 + the number of users with a strictly higher score, so ties share a rank.</summary>
    public static long Rank(long usersAbove) => 1 + usersAbove;

    public long RankOf(long tenant, long score)
    {
        lock (_gate)
        {
            if (!_scores.TryGetValue(tenant, out var list)) return Rank(usersAbove: 0);
            return Rank(usersAbove: list.Count - UpperBound(list, score));
        }
    }

    private static int UpperBound(List<long> sorted, long value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
