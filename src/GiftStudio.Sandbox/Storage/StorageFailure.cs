using System;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>The one place that tells a write the data file could not take (its disk is full,
/// an I/O error, a read-only file) from a bug, and says it in words. Such a write is answered
/// 507 (nothing of it was applied), /health answers 503 until a write succeeds again, and a
/// stop logs it in one line instead of crashing.</summary>
public static class StorageFailure
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;

    /// <summary>What is wrong with the data file, or null when <paramref name="error"/> is not a storage failure.</summary>
    public static string? Reason(Exception? error) =>
        error is SqliteException sqlite
            ? (sqlite.SqliteErrorCode & 0xFF) switch
            {
                SqliteFull => "the data file's disk is full",
                SqliteIoError => "the data file cannot be written (an I/O error)",
                SqliteReadOnly => "the data file is read-only",
                _ => null,
            }
            : null;

    /// <summary>The 507 a write gets when it could not be stored (Part B: insufficient-storage).</summary>
    public static ApiProblem Problem(string reason) =>
        new(507, "insufficient-storage", "Insufficient storage",
            $"This request could not be stored: {reason}. Nothing of it was applied; free space (or make the file writable) and retry it, with the same Idempotency-Key.");
}
