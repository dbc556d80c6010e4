using System.Collections.Generic;
using System.Net.Http;

namespace GiftStudio;

/// <summary>What a failed call did at the server, as far as the client can know.</summary>
public enum CallOutcome
{
    /// <summary>Every attempt definitely did nothing: refused before it was sent, or
    /// answered 503/429/409 or a server fault that by contract keeps nothing.</summary>
    NotApplied,
    /// <summary>An attempt may have reached the server and ended without an answer (the
    /// connection dropped after sending, a timeout, a gateway's 502/504): it may have been
    /// applied. Re-running with the same idempotency key applies it at most once.</summary>
    Unknown,
    /// <summary>The server refused the request itself (400, 404, 422, ...): the same key
    /// would only replay the refusal.</summary>
    Refused,
}

/// <summary>What to do with a failed write.</summary>
public enum WriteRecovery
{
    /// <summary>Send it again as it is, with the same idempotency key: the key makes that
    /// safe whether or not the first call was applied.</summary>
    RerunAsIs,
    /// <summary>Correct the row, then send it as a new request (a new key): under the old
    /// key a corrected row is refused (422).</summary>
    FixAndSendAsNew,
}

/// <summary>One logical call across its attempts: what it is (for log lines), its key,
/// and whether any attempt may have reached the server without a definite answer. The
/// client attaches it to the request; the retry handler fills it in.</summary>
internal sealed class CallRecord
{
    private const string PropertyName = "GiftStudio.CallRecord";

    public CallRecord(string? label, string? idempotencyKey)
    {
        Label = label;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>What the call is about, e.g. "user alice.kred" or "gift 'Welcome Pack'".</summary>
    public string? Label { get; }

    public string? IdempotencyKey { get; }

    /// <summary>A method with effects and no idempotency key (PATCH, say): a second send may apply it twice.</summary>
    public bool Unsafe { get; set; }

    public bool MayHaveBeenApplied => MaybeAppliedReason != null;

    /// <summary>How the first attempt that may have been applied ended.</summary>
    public string? MaybeAppliedReason { get; private set; }

    public void NoteMaybeApplied(string reason)
    {
        if (MaybeAppliedReason == null) MaybeAppliedReason = reason;
    }

    /// <summary>Attempts that left (or tried to leave) for the network.</summary>
    public int Attempts { get; set; }

    /// <summary>" for user x (key k)": what log lines add so that concurrent lines can be matched to rows.</summary>
    public string Describe()
    {
        if (Label == null && IdempotencyKey == null) return "";
        var parts = new List<string>(2);
        if (Label != null) parts.Add(Label);
        if (IdempotencyKey != null) parts.Add("key " + IdempotencyKey);
        return " [" + string.Join(", ", parts) + "]";
    }

#pragma warning disable CS0618 // Options replaces Properties only on .NET 5+; this assembly is netstandard2.0.
    public void AttachTo(HttpRequestMessage request) => request.Properties[PropertyName] = this;

    public static CallRecord? Of(HttpRequestMessage request) =>
        request.Properties.TryGetValue(PropertyName, out var value) ? value as CallRecord : null;
#pragma warning restore CS0618
}
