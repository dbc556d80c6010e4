using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The one prepared-statement cache: one command per SQL text and connection, reused
/// with new values, so no statement is compiled twice on the writer or on a pooled reader.
/// The commands belong to the cache (they live as long as their connection): callers never
/// dispose them.</summary>
internal static class Statements
{
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Prepared = new();

    /// <summary>The connection's command for <paramref name="sql"/>, its parameters set to <paramref name="args"/>.</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        var cache = Prepared.GetValue(connection, _ => new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
        if (!cache.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            cache[sql] = command;
        }
        // The same names in the same order (one call site per text): new values only, no new
        // parameter objects (they were a tenth of the bytes allocated per score update).
        var parameters = command.Parameters;
        var same = parameters.Count == args.Length;
        for (var i = 0; same && i < args.Length; i++) same = string.Equals(parameters[i].ParameterName, args[i].Name, StringComparison.Ordinal);
        if (same)
        {
            for (var i = 0; i < args.Length; i++) parameters[i].Value = args[i].Value ?? DBNull.Value;
            return command;
        }
        parameters.Clear();
        foreach (var (name, value) in args) parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>Runs a statement without values (the writer's savepoints and transactions).</summary>
    public static void Execute(SqliteConnection connection, string sql) => Command(connection, sql).ExecuteNonQuery();
}
