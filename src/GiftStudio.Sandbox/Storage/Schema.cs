using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The tables. Tenants are named by the hash of their key; times are Unix
/// milliseconds (UTC); tiers and actions are small integers.</summary>
internal static class Schema
{
    public const int Version = 1;

    private const string Sql = """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS tenants (
            id       INTEGER PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE
        );

        CREATE TABLE IF NOT EXISTS gifts (
            id         INTEGER PRIMARY KEY,
            tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
            gift_id    TEXT NOT NULL,
            name       TEXT NOT NULL,
            tier       INTEGER NOT NULL,
            reward     INTEGER NOT NULL,
            badge      INTEGER NOT NULL,
            expires_ms INTEGER,
            created_ms INTEGER NOT NULL,
            UNIQUE (tenant_id, gift_id)
        );
        -- (tenant_id, rowid): cursor paging in creation order.
        CREATE INDEX IF NOT EXISTS gifts_by_tenant ON gifts (tenant_id);

        CREATE TABLE IF NOT EXISTS users (
            id         INTEGER PRIMARY KEY,
            tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
            user_id    TEXT NOT NULL,
            score      INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            -- The user's latest redemption and latest positive change: since every window ends
            -- now, "had an event in the window" is "latest event at or after its start", which
            -- makes unique_recipients exact with one index range count.
            last_redeemed_ms INTEGER,
            last_awarded_ms  INTEGER,
            UNIQUE (tenant_id, user_id)
        );
        CREATE INDEX IF NOT EXISTS users_by_last_redeemed ON users (tenant_id, last_redeemed_ms);
        CREATE INDEX IF NOT EXISTS users_by_last_awarded ON users (tenant_id, last_awarded_ms);
        -- rank = 1 + users above; leaderboard = the top of this index.
        CREATE INDEX IF NOT EXISTS users_by_score ON users (tenant_id, score);

        -- The append-only ledger of score events; users.score is its running total.
        CREATE TABLE IF NOT EXISTS events (
            id        INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            user_ref  INTEGER NOT NULL REFERENCES users(id),
            action    INTEGER NOT NULL,
            value     INTEGER NOT NULL,
            tier      INTEGER NOT NULL,
            gift_ref  INTEGER REFERENCES gifts(id),
            previous  INTEGER NOT NULL,
            current   INTEGER NOT NULL,
            at_ms     INTEGER NOT NULL
        );
        -- Covering index for analytics: a window is one range scan that never touches the table.
        CREATE INDEX IF NOT EXISTS events_by_time ON events (tenant_id, at_ms, action, value, tier, user_ref);
        CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the score ledger is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the score ledger is append-only'); END;
        -- (POST /_sandbox/reset lifts events_no_delete for its own DELETE only; see SandboxStore.ResetTenant.)

        -- Daily roll-up of the ledger per analytics metric (CurrencyMetric.Key)
        -- and redemption tier, written in the same transaction as each event: whole days of a
        -- window are read from here, only the partial days from the events.
        CREATE TABLE IF NOT EXISTS daily_totals (
            tenant_id INTEGER NOT NULL,
            metric    INTEGER NOT NULL,
            day       INTEGER NOT NULL,
            tier      INTEGER NOT NULL,
            count     INTEGER NOT NULL,
            value     INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, metric, day, tier)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS idempotency (
            tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
            key         TEXT NOT NULL,
            fingerprint BLOB NOT NULL,
            status      INTEGER NOT NULL,
            body        BLOB NOT NULL,
            created_ms  INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_ms);
        """;

    /// <summary>Re-created by a reset after its DELETE (same text as in <see cref="Sql"/>).</summary>
    public const string EventsNoDeleteTrigger = """
        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the score ledger is append-only'); END;
        """;

    public static void Apply(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }
        using (var version = connection.CreateCommand())
        {
            version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
            var found = version.ExecuteScalar() as string;
            if (found is not null && found != Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new System.InvalidOperationException($"The data file has schema version {found}; this sandbox reads version {Version}.");
            version.CommandText = $"INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{Version}');";
            version.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
