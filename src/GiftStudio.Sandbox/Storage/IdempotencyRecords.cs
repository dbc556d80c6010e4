using Microsoft.Data.Sqlite;
using static GiftStudio.Sandbox.Storage.Statements;

namespace GiftStudio.Sandbox.Storage;

public sealed record StoredReply(byte[] Fingerprint, int Status, byte[] Body);

/// <summary>The stored replies of Idempotency-Key requests, written in the transaction of the
/// change they answer (see <see cref="GiftStudio.Sandbox.Http.Idempotency"/>).</summary>
public sealed class IdempotencyRecords(Clock clock)
{
    /// <summary>Idempotency records expire 48 hours after they were written, on the sandbox's
    /// clock (real or manual): an older record is as good as none, while the sandbox runs.</summary>
    internal const long ReplyLifetimeMs = 2 * SandboxStore.DayMs;

    public StoredReply? Find(SqliteConnection c, long tenant, string key)
    {
        using var reader = Command(c, "SELECT fingerprint, status, body FROM idempotency WHERE tenant_id = $t AND key = $k AND created_ms >= $cutoff;",
            ("$t", tenant), ("$k", key), ("$cutoff", clock.NowMs - ReplyLifetimeMs)).ExecuteReader();
        return reader.Read() ? new StoredReply((byte[])reader[0], reader.GetInt32(1), (byte[])reader[2]) : null;
    }

    public void Save(SqliteConnection c, long tenant, string key, byte[] fingerprint, int status, byte[] body) =>
        // REPLACE: an expired record of the same key may still be in the table.
        Command(c, "INSERT OR REPLACE INTO idempotency (tenant_id, key, fingerprint, status, body, created_ms) VALUES ($t, $k, $f, $s, $b, $now);",
            ("$t", tenant), ("$k", key), ("$f", fingerprint), ("$s", status), ("$b", body), ("$now", clock.NowMs)).ExecuteNonQuery();

    /// <summary>Records are kept at least 24 hours (the contract); this drops those past 48
    /// (at start-up; while running, <see cref="Find"/> ignores them).</summary>
    public int Purge(SqliteConnection c) =>
        Command(c, "DELETE FROM idempotency WHERE created_ms < $cutoff;", ("$cutoff", clock.NowMs - ReplyLifetimeMs)).ExecuteNonQuery();
}
