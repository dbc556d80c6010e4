using System;

namespace GiftStudio;

/// <summary>What a second send of a request can do. The one classification that retry,
/// outcome, recovery and idempotency-key decisions all read (<see cref="RequestKinds"/>).</summary>
public enum RequestKind
{
    /// <summary>A read (GET, HEAD, OPTIONS, TRACE): it changes nothing, so it has no outcome to lose.</summary>
    Safe,
    /// <summary>PUT or DELETE: a change that HTTP defines as idempotent, so a second send
    /// leaves the same state as one.</summary>
    IdempotentByMethod,
    /// <summary>A POST with an Idempotency-Key: the server applies the key at most once.</summary>
    IdempotentByKey,
    /// <summary>A change without either (PATCH, a POST without a key): a second send may apply it twice.</summary>
    Unsafe,
}

/// <summary>The classification of a request, and which requests carry an idempotency key:
/// the only place either is decided.</summary>
public static class RequestKinds
{
    /// <summary>Whether the contract gives <paramref name="method"/> an Idempotency-Key (POST only).</summary>
    public static bool TakesKey(string method) => string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase);

    public static RequestKind Of(string method, bool hasKey)
    {
        switch (method.ToUpperInvariant())
        {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "TRACE":
                return RequestKind.Safe;
            case "PUT":
            case "DELETE":
                return RequestKind.IdempotentByMethod;
            case "POST":
                return hasKey ? RequestKind.IdempotentByKey : RequestKind.Unsafe;
            default:
                return RequestKind.Unsafe;
        }
    }

    /// <summary>Whether sending it again is harmless whatever the first send did.</summary>
    public static bool MaySendAgain(this RequestKind kind) => kind != RequestKind.Unsafe;

    /// <summary>Whether it may change something at the server (so a lost answer leaves its outcome unknown).</summary>
    public static bool Changes(this RequestKind kind) => kind != RequestKind.Safe;
}
