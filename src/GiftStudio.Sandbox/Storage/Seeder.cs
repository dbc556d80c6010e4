using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>--seed USERS,DAYS[,EVENTS]: a deterministic, realistic history for demos and
/// benchmarks. Gift campaigns in every tier, redemptions spread over the days with a weekly
/// rhythm and a slow upward trend, a long-tail (Zipf-like) spread of activity over users,
/// and a few manual bonus adjustments. Same arguments and same clock → the same data.</summary>
public sealed record SeedSpec(int Users, int Days, int Events)
{
    public const int MaxUsers = 1_000_000;
    public const int MaxEvents = 10_000_000;

    public static SeedSpec Parse(string text)
    {
        var parts = text.Split(',');
        int Part(int i, int min, int max, string what) =>
            int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"--seed '{text}': {what} must be a whole number from {min} to {max}.");
        if (parts.Length is < 2 or > 3)
            throw new ArgumentException($"--seed '{text}' is not USERS,DAYS or USERS,DAYS,EVENTS (e.g. 200,30).");
        var users = Part(0, 1, MaxUsers, "USERS");
        var days = Part(1, 1, 365, "DAYS");
        var events = parts.Length == 3 ? Part(2, 0, MaxEvents, "EVENTS") : Math.Min(MaxEvents, Math.Max(days * 5, users * days / 5));
        return new SeedSpec(users, days, events);
    }
}

public sealed class Seeder
{
    private static readonly string[] FirstNames =
    {
        "alice", "bob", "carla", "deniz", "emma", "farid", "grace", "hiro", "ines", "jonas", "kira", "liam",
        "maria", "noah", "olga", "pavel", "quinn", "rosa", "sven", "tara", "umar", "vera", "wen", "yusuf", "zoe",
    };

    private static readonly string[] LastNames =
    {
        "kred", "lopez", "okafor", "schmidt", "tanaka", "novak", "silva", "berg", "khan", "dubois", "rossi",
        "nguyen", "costa", "murphy", "yilmaz", "ivanova",
    };

    private static readonly (string Name, int Tier, int Reward)[] Campaigns =
    {
        ("Welcome Pack", 2, 500), ("Coffee Voucher", 0, 25), ("Streak Bonus", 0, 40), ("Referral Reward", 1, 150),
        ("Review Thanks", 0, 20), ("Birthday Treat", 1, 100), ("Quarterly Champion", 3, 1500), ("Beta Tester", 2, 300),
        ("Community Helper", 1, 120), ("Event Ticket", 2, 450), ("Loyalty Milestone", 3, 1000), ("Survey Reward", 0, 15),
    };

    private readonly TierRules _tiers;

    public Seeder(TierRules tiers) => _tiers = tiers;

    /// <summary>Fills the tenant when it has no data yet; returns false (and writes nothing) otherwise.</summary>
    public bool Seed(SqliteConnection c, long tenant, SeedSpec spec, long nowMs)
    {
        if (HasData(c, tenant)) return false;
        var random = new Random(20260220);
        var today = nowMs / SandboxStore.DayMs * SandboxStore.DayMs;
        var firstDay = today - (spec.Days - 1) * SandboxStore.DayMs;

        var gifts = InsertGifts(c, tenant, random, firstDay, today, spec);
        var userIds = UserIds(spec.Users, random);
        var popularity = Popularity(spec.Users);

        // Day weights: weekdays busy, weekends quiet, a slow upward trend and some noise.
        var weights = new double[spec.Days];
        for (var d = 0; d < spec.Days; d++)
        {
            var dayOfWeek = DateTimeOffset.FromUnixTimeMilliseconds(firstDay + d * SandboxStore.DayMs).DayOfWeek;
            var weekly = dayOfWeek switch { DayOfWeek.Saturday => 0.55, DayOfWeek.Sunday => 0.45, DayOfWeek.Friday => 1.15, _ => 1.0 };
            weights[d] = weekly * (0.8 + 0.4 * d / Math.Max(1, spec.Days - 1)) * (0.9 + 0.2 * random.NextDouble());
        }
        // Only the part of today that has passed can hold events.
        weights[^1] *= Math.Max(0.02, (nowMs - today) / (double)SandboxStore.DayMs);
        var weightSum = weights.Sum();

        var scores = new long[spec.Users];
        var userRefs = new long?[spec.Users];
        var written = 0;
        for (var d = 0; d < spec.Days && written < spec.Events; d++)
        {
            var dayStart = firstDay + d * SandboxStore.DayMs;
            var dayEnd = d == spec.Days - 1 ? nowMs : dayStart + SandboxStore.DayMs - 1;
            var count = d == spec.Days - 1
                ? spec.Events - written
                : (int)Math.Round(spec.Events * weights[d] / weightSum);
            count = Math.Min(count, spec.Events - written);
            var times = new long[count];
            for (var i = 0; i < count; i++) times[i] = dayStart + (long)(random.NextDouble() * (dayEnd - dayStart));
            Array.Sort(times);

            foreach (var at in times)
            {
                var user = Pick(popularity, random);
                var adjustment = random.NextDouble() < 0.12;
                long value;
                int tier;
                long? giftRef = null;
                if (adjustment)
                {
                    // Manual bonuses (all positive: over the seeded days, points_awarded then adds
                    // up to the users' scores exactly, which tests and demos can check).
                    value = 5 * random.Next(1, 21);
                    tier = -1;
                }
                else
                {
                    var gift = PickGift(gifts, random, at);
                    value = gift.Reward;
                    tier = gift.Tier;
                    giftRef = gift.Ref;
                }

                var previous = scores[user];
                var current = previous + value;
                scores[user] = current;
                if (tier < 0) tier = _tiers.TierIndexFor(current);
                var userRef = userRefs[user] ??= SandboxStore.UserFor(c, tenant, userIds[user], at).Ref;
                SandboxStore.AppendEvent(c, tenant, userRef, adjustment ? ScoreAction.Adjustment : ScoreAction.GiftRedeemed,
                    value, tier, giftRef, previous, current, at);
                written++;
            }
        }

        // The published example's user: 200 points (bronze) an hour ago, so redeeming the
        // 500-point Welcome Pack shows 200 -> 700 = gold.
        var alice = SandboxStore.UserFor(c, tenant, "alice.kred", nowMs - 3_600_000).Ref;
        SandboxStore.AppendEvent(c, tenant, alice, ScoreAction.Adjustment, 200, _tiers.TierIndexFor(200), null, 0, 200, nowMs - 3_600_000);
        return true;
    }

    private static bool HasData(SqliteConnection c, long tenant)
    {
        return (long)Statements.Command(c, "SELECT EXISTS (SELECT 1 FROM gifts WHERE tenant_id = $t) OR EXISTS (SELECT 1 FROM users WHERE tenant_id = $t);",
            ("$t", tenant)).ExecuteScalar()! != 0;
    }

    private sealed record SeedGift(long Ref, int Tier, long Reward, long? ExpiresMs);

    private static List<SeedGift> InsertGifts(SqliteConnection c, long tenant, Random random, long firstDay, long today, SeedSpec spec)
    {
        const string insert = """
            INSERT INTO gifts (tenant_id, gift_id, name, tier, reward, badge, expires_ms, created_ms)
            VALUES ($t, $id, $name, $tier, $reward, $badge, $expires, $created) RETURNING id;
            """;
        var gifts = new List<SeedGift>();
        var rounds = Math.Clamp(spec.Users / 40, 1, 20);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, tier, reward) in Campaigns)
            {
                var created = firstDay - SandboxStore.DayMs + round * 60_000L + gifts.Count * 1000L;
                // A third of the campaigns ended inside the window, a third run on, a third never end.
                long? expires = (gifts.Count % 3) switch
                {
                    0 => firstDay + (long)(random.NextDouble() * (today - firstDay + SandboxStore.DayMs)),
                    1 => today + (30 + random.Next(0, 60)) * SandboxStore.DayMs,
                    _ => null,
                };
                var label = round == 0 ? name : $"{name} #{round + 1}";
                var id = (long)Statements.Command(c, insert, ("$t", tenant), ("$id", GiftIds.New(random.Next)), ("$name", label),
                    ("$tier", tier), ("$reward", reward), ("$badge", tier >= 2 ? 1 : 0), ("$expires", expires), ("$created", created)).ExecuteScalar()!;
                gifts.Add(new SeedGift(id, tier, reward, expires));
            }
        }
        return gifts;
    }

    private static SeedGift PickGift(List<SeedGift> gifts, Random random, long at)
    {
        // Cheaper gifts are redeemed far more often than the top tier.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var gift = gifts[random.Next(gifts.Count)];
            var keep = gift.Tier switch { 0 => 1.0, 1 => 0.6, 2 => 0.3, _ => 0.1 };
            if ((gift.ExpiresMs is null || gift.ExpiresMs > at) && random.NextDouble() < keep) return gift;
        }
        return gifts.First(g => g.ExpiresMs is null);
    }

    private static string[] UserIds(int count, Random random)
    {
        var ids = new string[count];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var id = $"{FirstNames[random.Next(FirstNames.Length)]}.{LastNames[random.Next(LastNames.Length)]}";
            var candidate = id;
            // alice.kred is kept for the published example (see Seed).
            for (var n = 2; candidate == "alice.kred" || !used.Add(candidate); n++) candidate = id + n.ToString(CultureInfo.InvariantCulture);
            ids[i] = candidate;
        }
        return ids;
    }

    /// <summary>Cumulative Zipf-like weights (1/(rank+1)^0.9): a few very active users, a long tail.</summary>
    private static double[] Popularity(int users)
    {
        var cumulative = new double[users];
        double sum = 0;
        for (var i = 0; i < users; i++)
        {
            sum += 1 / Math.Pow(i + 1, 0.9);
            cumulative[i] = sum;
        }
        return cumulative;
    }

    private static int Pick(double[] cumulative, Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }
}
