using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using static GiftStudio.Sandbox.Storage.Statements;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The sandbox's data operations. Write methods run on the writer connection inside
/// a savepoint (see <see cref="Database.WriteAsync{T}"/>); read methods on a pooled reader.</summary>
public sealed class SandboxStore
{
    /// <summary>A UTC day in milliseconds: daily roll-ups are keyed by at_ms / DayMs.</summary>
    internal const long DayMs = 86_400_000;

    private readonly Database _database;
    private readonly TierRules _tiers;
    private readonly Clock _clock;
    private readonly RankIndex _ranks = new();
    private bool _ranksChanged;

    public SandboxStore(Database database, TierRules tiers, Clock clock)
    {
        _database = database;
        _tiers = tiers;
        _clock = clock;
        Replies = new IdempotencyRecords(clock);
        // A rolled-back write may have touched the in-memory ranks: read them again (only
        // when ranks changed since the last commit; refusals happen before any change).
        database.Committed += () => _ranksChanged = false;
        database.RolledBack += c =>
        {
            if (_ranksChanged) _ranks.Rebuild(c);
        };
    }

    /// <summary>Loads the rank index (after seeding, before serving).</summary>
    public void LoadRanks()
    {
        using var connection = _database.OpenReader();
        _ranks.Rebuild(connection);
    }

    public Database Database => _database;

    /// <summary>The stored replies of Idempotency-Key requests.</summary>
    public IdempotencyRecords Replies { get; }

    /// <summary>Makes sure every configured tenant has its row (a write, so on the writer like
    /// every other); returns hash → tenant id.</summary>
    public Task<IReadOnlyDictionary<string, long>> EnsureTenantsAsync(IEnumerable<string> tenantNames) =>
        _database.WriteAsync<IReadOnlyDictionary<string, long>>(c =>
        {
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var name in tenantNames)
            {
                using var insert = c.CreateCommand();
                insert.CommandText = "INSERT INTO tenants (key_hash) VALUES ($h) ON CONFLICT (key_hash) DO NOTHING; SELECT id FROM tenants WHERE key_hash = $h;";
                insert.Parameters.AddWithValue("$h", name);
                ids[name] = (long)insert.ExecuteScalar()!;
            }
            return ids;
        });

    // ---- gifts ----------------------------------------------------------------------------

    public GiftDto CreateGift(SqliteConnection c, long tenant, NewGift gift)
    {
        var now = _clock.NowMs;
        for (var attempt = 0; ; attempt++)
        {
            var giftId = NewGiftId();
            var insert = Command(c, """
                INSERT INTO gifts (tenant_id, gift_id, name, tier, reward, badge, expires_ms, created_ms)
                VALUES ($t, $id, $name, $tier, $reward, $badge, $expires, $now)
                ON CONFLICT (tenant_id, gift_id) DO NOTHING;
                """,
                ("$t", tenant), ("$id", giftId), ("$name", gift.Name), ("$tier", gift.Tier), ("$reward", gift.Reward),
                ("$badge", gift.Badge ? 1 : 0), ("$expires", gift.ExpiresMs), ("$now", now));
            if (insert.ExecuteNonQuery() == 1)
                return new GiftDto(giftId, gift.Name, TierRules.Names[gift.Tier], gift.Reward, gift.Badge,
                    gift.ExpiresMs is { } e ? Rfc3339.Format(e) : null, Rfc3339.Format(now));
            if (attempt == 5) throw new InvalidOperationException("Could not draw a free gift id.");
        }
    }

    public GiftDto? FindGift(SqliteConnection c, long tenant, string giftId)
    {
        using var reader = Command(c, GiftColumns + " WHERE tenant_id = $t AND gift_id = $id;", ("$t", tenant), ("$id", giftId)).ExecuteReader();
        return reader.Read() ? ReadGift(reader) : null;
    }

    public GiftPageDto ListGifts(SqliteConnection c, long tenant, int? tier, bool? active, int limit, long afterId)
    {
        var filter = (tier is null ? "" : " AND tier = $tier")
            + (active switch
            {
                true => " AND (expires_ms IS NULL OR expires_ms > $now)",
                false => " AND expires_ms IS NOT NULL AND expires_ms <= $now",
                null => "",
            });
        using var reader = Command(c, GiftColumns + " WHERE tenant_id = $t AND id > $after" + filter + " ORDER BY id LIMIT $take;",
            ("$t", tenant), ("$after", afterId), ("$tier", tier), ("$now", _clock.NowMs), ("$take", limit + 1)).ExecuteReader();
        var page = new List<GiftDto>(Math.Min(limit, 1000));
        long lastId = 0;
        var more = false;
        while (reader.Read())
        {
            if (page.Count == limit) { more = true; break; }
            lastId = reader.GetInt64(7);
            page.Add(ReadGift(reader));
        }
        return new GiftPageDto(page, more ? GiftCursor.Encode(lastId) : null);
    }

    private const string GiftColumns = "SELECT gift_id, name, tier, reward, badge, expires_ms, created_ms, id FROM gifts";

    private static GiftDto ReadGift(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), TierRules.Names[r.GetInt32(2)], r.GetInt64(3), r.GetInt64(4) != 0,
        r.IsDBNull(5) ? null : Rfc3339.Format(r.GetInt64(5)), Rfc3339.Format(r.GetInt64(6)));

    private static string NewGiftId() => GiftIds.New(RandomNumberGenerator.GetInt32);

    // ---- scores ---------------------------------------------------------------------------

    public ScoreDto ApplyScore(SqliteConnection c, long tenant, ScoreChange change)
    {
        var now = _clock.NowMs;
        long? giftRef = null;
        int? giftTier = null;
        if (change.GiftId is not null)
        {
            using var gift = Command(c, "SELECT id, tier, expires_ms FROM gifts WHERE tenant_id = $t AND gift_id = $id;",
                ("$t", tenant), ("$id", change.GiftId)).ExecuteReader();
            if (!gift.Read()) throw ApiProblem.NotFound($"giftId '{change.GiftId}' does not exist.");
            if (!gift.IsDBNull(2) && gift.GetInt64(2) <= now)
                throw ApiProblem.Unprocessable("giftId", $"'{change.GiftId}' expired at {Rfc3339.Format(gift.GetInt64(2))} and can no longer be redeemed");
            giftRef = gift.GetInt64(0);
            giftTier = gift.GetInt32(1);
        }

        var (userRef, previous, isNew) = UserFor(c, tenant, change.UserId, now);
        var current = previous + change.Value;
        if (current < 0)
            throw ApiProblem.Unprocessable("value", $"{change.Value} would take the score of '{change.UserId}' from {previous} to {current}; a score cannot fall below 0");

        var tierIndex = _tiers.TierIndexFor(current);
        AppendEvent(c, tenant, userRef, change.Action, change.Value, giftTier ?? tierIndex, giftRef, previous, current, now);
        _ranksChanged = true;
        _ranks.Change(tenant, isNew ? null : previous, current);
        return new ScoreDto(change.UserId, "tier", previous, current, TierRules.Names[tierIndex], _ranks.RankOf(tenant, current), Rfc3339.Format(now));
    }

    /// <summary>The user's row id and score, creating the user with score 0 on first sight
    /// (inside the caller's savepoint, so a refused change leaves no user behind).</summary>
    internal static (long Ref, long Score, bool IsNew) UserFor(SqliteConnection c, long tenant, string userId, long atMs)
    {
        using (var found = Command(c, "SELECT id, score FROM users WHERE tenant_id = $t AND user_id = $u;", ("$t", tenant), ("$u", userId)).ExecuteReader())
        {
            if (found.Read()) return (found.GetInt64(0), found.GetInt64(1), false);
        }
        var id = (long)Command(c, "INSERT INTO users (tenant_id, user_id, score, updated_ms) VALUES ($t, $u, 0, $at) RETURNING id;",
            ("$t", tenant), ("$u", userId), ("$at", atMs)).ExecuteScalar()!;
        return (id, 0, true);
    }

    /// <summary>The one way a score changes: a ledger event, the user's running total and the
    /// daily roll-up, together (the caller's savepoint makes them all-or-nothing).</summary>
    internal static void AppendEvent(SqliteConnection c, long tenant, long userRef, ScoreAction action, long value,
        int tier, long? giftRef, long previous, long current, long atMs)
    {
        var redeemed = action == ScoreAction.GiftRedeemed;
        var awarded = value > 0;
        Command(c, """
            INSERT INTO events (tenant_id, user_ref, action, value, tier, gift_ref, previous, current, at_ms)
            VALUES ($t, $user, $action, $value, $tier, $gift, $previous, $current, $at);
            """,
            ("$t", tenant), ("$user", userRef), ("$action", (int)action), ("$value", value),
            ("$tier", tier), ("$gift", giftRef), ("$previous", previous), ("$current", current), ("$at", atMs)).ExecuteNonQuery();
        Command(c, """
            UPDATE users SET score = $current, updated_ms = $at,
                last_redeemed_ms = CASE WHEN $redeemed THEN $at ELSE last_redeemed_ms END,
                last_awarded_ms = CASE WHEN $awarded THEN $at ELSE last_awarded_ms END
            WHERE id = $user;
            """, ("$current", current), ("$at", atMs), ("$redeemed", redeemed), ("$awarded", awarded), ("$user", userRef)).ExecuteNonQuery();
        if (redeemed) CurrencyAudit.RollUp(c, tenant, CurrencyMetric.GiftsRedeemed, atMs, tier, value);
        if (awarded) CurrencyAudit.RollUp(c, tenant, CurrencyMetric.PointsAwarded, atMs, tier, value);
    }

    public ScoreDto? FindScore(SqliteConnection c, long tenant, string userId)
    {
        long score, updated;
        using (var user = Command(c, "SELECT score, updated_ms FROM users WHERE tenant_id = $t AND user_id = $u;", ("$t", tenant), ("$u", userId)).ExecuteReader())
        {
            if (!user.Read()) return null;
            score = user.GetInt64(0);
            updated = user.GetInt64(1);
        }
        return new ScoreDto(userId, "tier", score, score, _tiers.TierFor(score), _ranks.RankOf(tenant, score), Rfc3339.Format(updated));
    }

    public LeaderboardDto Leaderboard(SqliteConnection c, long tenant, int limit)
    {
        var entries = new List<LeaderboardEntryDto>(limit);
        using (var reader = Command(c, "SELECT user_id, score FROM users WHERE tenant_id = $t ORDER BY score DESC, user_id LIMIT $n;",
                   ("$t", tenant), ("$n", limit)).ExecuteReader())
        {
            while (reader.Read())
            {
                var score = reader.GetInt64(1);
                // Sorted from the top: a tie has the rank of the first of them, and before any
                // other score stand exactly the entries read so far.
                var rank = entries.Count > 0 && entries[^1].Score == score ? entries[^1].Rank : RankIndex.Rank(usersAbove: entries.Count);
                entries.Add(new LeaderboardEntryDto(rank, reader.GetString(0), score, _tiers.TierFor(score)));
            }
        }
        var total = (long)Command(c, "SELECT count(*) FROM users WHERE tenant_id = $t;", ("$t", tenant)).ExecuteScalar()!;
        return new LeaderboardDto("leaderboard", "tier", entries, total);
    }

    // ---- reset ----------------------------------------------------------------------------

    /// <summary>POST /_sandbox/reset: the tenant's rows, gone in one transaction. The ledger
    /// refuses DELETE by trigger; the trigger is lifted for this statement only, inside the
    /// same savepoint, so the API can still never delete an event.</summary>
    public ResetDto ResetTenant(SqliteConnection c, long tenant)
    {
        long Delete(string table) => Command(c, $"DELETE FROM {table} WHERE tenant_id = $t;", ("$t", tenant)).ExecuteNonQuery();
        var idempotency = Delete("idempotency");
        Delete("daily_totals");
        Database.Execute(c, "DROP TRIGGER events_no_delete;");
        var events = Delete("events");
        Database.Execute(c, Schema.EventsNoDeleteTrigger);
        var users = Delete("users");
        var gifts = Delete("gifts");
        _ranksChanged = true;
        _ranks.Clear(tenant);
        return new ResetDto(gifts, users, events, idempotency);
    }

    /// <summary>What the data file holds, for the start line.</summary>
    public (long Tenants, long Gifts, long Users, long Events, long? NewestEventMs) Contents()
    {
        using var c = _database.OpenReader();
        long Count(string sql) => Convert.ToInt64(Command(c, sql).ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
        var newest = Command(c, "SELECT max(at_ms) FROM events;").ExecuteScalar();
        return (Count("SELECT count(*) FROM tenants;"), Count("SELECT count(*) FROM gifts;"), Count("SELECT count(*) FROM users;"),
            Count("SELECT count(*) FROM events;"), newest is long ms ? ms : null);
    }

    /// <summary>Events later than an instant (after a restart with an earlier --now).</summary>
    public long EventsAfter(long instantMs)
    {
        using var c = _database.OpenReader();
        return (long)Command(c, "SELECT count(*) FROM events WHERE at_ms > $at;", ("$at", instantMs)).ExecuteScalar()!;
    }
}
