using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Http;

/// <summary>Runs a POST so that it is applied at most once per Idempotency-Key. The stored
/// reply is written in the same transaction as the change; which keys are in flight is kept
/// in memory only, so a request that dies with the server never blocks its key.</summary>
public sealed class Idempotency
{
    private readonly ConcurrentDictionary<(long Tenant, string Key), byte> _inFlight = new();
    private readonly SandboxStore _store;

    public Idempotency(SandboxStore store) => _store = store;

    /// <param name="prepare">Parses and validates the body (no storage access).</param>
    /// <param name="apply">Applies it on the writer; throws <see cref="ApiProblem"/> to refuse.</param>
    /// <param name="readBody">Reads the body; called once the key is claimed, so a request
    /// counts as in flight from its headers on (a slow upload holds its key).</param>
    public async Task<Reply> ExecuteAsync<T>(HttpContext context, Tenant tenant, Func<Task<byte[]>> readBody,
        Func<StrictJson, T> prepare, Func<SqliteConnection, T, Reply> apply)
    {
        var key = ReadKey(context.Request.Headers);
        var database = _store.Database;
        if (key is null)
        {
            var request = Prepare(await readBody(), prepare);
            return await database.WriteAsync(c => apply(c, request));
        }

        if (!_inFlight.TryAdd((tenant.Id, key), 0))
            throw new ApiProblem(409, "conflict-in-flight", "Request in flight",
                "A request with this Idempotency-Key is still being processed; retry it after a short wait.")
            { RetryAfterSeconds = 1 };
        try
        {
            var body = await readBody();
            var fingerprint = Fingerprint(context.Request.Method, context.Request.Path.Value ?? "", body);
            // Parse first (no storage); a refusal here is this key's final answer unless the
            // key already has one.
            T request = default!;
            ApiProblem? refused = null;
            try { request = Prepare(body, prepare); }
            catch (ApiProblem problem) when (problem.IsFinal) { refused = problem; }

            // Look-up, change and record in one writer item: no second connection, and the
            // in-flight claim above means nobody else can write this key meanwhile.
            return await database.WriteAsync(c =>
            {
                var stored = _store.Replies.Find(c, tenant.Id, key);
                if (stored is not null)
                {
                    if (!CryptographicOperations.FixedTimeEquals(stored.Fingerprint, fingerprint))
                        throw ApiProblem.Unprocessable("Idempotency-Key",
                            "was already used with a different request; send a new key for a new request");
                    return new Reply(stored.Status, stored.Body) { Replayed = true };
                }
                Reply result;
                if (refused is not null)
                {
                    result = Reply.From(refused);
                }
                else
                {
                    try { result = Database.InSavepoint(c, "apply", () => apply(c, request)); }
                    catch (ApiProblem problem) when (problem.IsFinal) { result = Reply.From(problem); }
                }
                _store.Replies.Save(c, tenant.Id, key, fingerprint, result.Status, result.Body);
                return result;
            });
        }
        finally
        {
            _inFlight.TryRemove((tenant.Id, key), out _);
        }
    }

    private static T Prepare<T>(byte[] body, Func<StrictJson, T> prepare)
    {
        using var json = StrictJson.Parse(body);
        return prepare(json);
    }

    private static string? ReadKey(IHeaderDictionary headers)
    {
        var values = headers["Idempotency-Key"];
        if (values.Count == 0) return null;
        const string rule = "must be 1 to 255 printable ASCII characters, sent once";
        if (values.Count > 1 || values[0] is not { Length: >= 1 and <= 255 } key)
            throw ApiProblem.Validation("Idempotency-Key", rule);
        foreach (var c in key)
        {
            if (c is < ' ' or > '~') throw ApiProblem.Validation("Idempotency-Key", rule);
        }
        return key;
    }

    /// <summary>Method, path and the body's JSON content: a retry that re-serialises the same
    /// content (other whitespace, property order or string escapes) matches. A body that is not
    /// JSON is compared by its bytes.</summary>
    internal static byte[] Fingerprint(string method, string path, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(method + " " + path + "\n"));
        if (CanonicalJson.TryWrite(body) is { } canonical)
        {
            hash.AppendData("json\n"u8);
            hash.AppendData(canonical);
        }
        else
        {
            hash.AppendData("bytes\n"u8);
            hash.AppendData(body);
        }
        return hash.GetHashAndReset();
    }
}
