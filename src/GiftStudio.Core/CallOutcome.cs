using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;

namespace GiftStudio;

/// <summary>What a failed call did at the server, as far as the client can know.</summary>
public enum CallOutcome
{
    /// <summary>Nothing was applied, now or before: every attempt definitely did nothing
    /// (refused before it was sent, or answered 503/429/409 or a server fault that by
    /// contract keeps nothing), and its key was made for this call, so no earlier call sent it.</summary>
    NotApplied,
    /// <summary>It may have been applied: an attempt reached the server and ended without an
    /// answer (the connection dropped after sending, a timeout, a gateway's 502/504), or its
    /// key came with the row (given or derived), so an earlier call may have applied it.
    /// Re-running with the same idempotency key applies it at most once.</summary>
    Unknown,
    /// <summary>Refused, by the server (400, 404, 422, ...: the same key would only replay
    /// the refusal) or by the module's own checks before anything was sent.</summary>
    Refused,
}

/// <summary>Who applied the change a successful write reports.</summary>
public enum AppliedBy
{
    /// <summary>This call: a first application, or the server's replay of this call's own
    /// attempt whose answer was lost.</summary>
    ThisCall,
    /// <summary>An earlier call under the same idempotency key (a re-run): nothing was applied now.</summary>
    EarlierCall,
    /// <summary>A replay that cannot be placed: this call's own lost attempt or an earlier call's.</summary>
    ThisOrEarlierCall,
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
    /// <summary>The request may have been applied and a second send could apply it twice (a
    /// PATCH, say): look at the server's state before sending it again.</summary>
    CheckAtServerFirst,
}

/// <summary>One logical call across its attempts: what it is (for log lines), its key and
/// kind, what each attempt did, and whether any attempt may have reached the server without
/// a definite answer. The client attaches it to the request; the retry handler fills it in.</summary>
internal sealed class CallRecord
{
    private const string PropertyName = "GiftStudio.CallRecord";

    private readonly List<string> _history = new List<string>(2);
    private long _firstAttemptAt;

    /// <param name="label">What the call is about (for log lines and messages).</param>
    /// <param name="idempotencyKey">The key every attempt sends; null for none.</param>
    /// <param name="kind">What a second send can do.</param>
    /// <param name="keyFromCaller">The key was given (or derived from a prefix) rather than
    /// made for this call: an earlier call may have sent it.</param>
    public CallRecord(string? label, string? idempotencyKey, RequestKind kind, bool keyFromCaller = false)
    {
        Label = label;
        IdempotencyKey = idempotencyKey;
        Kind = kind;
        KeyFromCaller = idempotencyKey != null && keyFromCaller;
    }

    /// <summary>What the call is about, e.g. "user alice.kred" or "gift 'Welcome Pack'".</summary>
    public string? Label { get; }

    public string? IdempotencyKey { get; }

    public RequestKind Kind { get; }

    /// <summary>The key came with the call, so an earlier call may have applied it.</summary>
    public bool KeyFromCaller { get; }

    /// <summary>Whether an attempt of this call may have been applied without the client learning so.</summary>
    public bool MayHaveBeenApplied { get; private set; }

    /// <summary>Attempts that left (or tried to leave) for the network.</summary>
    public int Attempts { get; private set; }

    /// <summary>Counts an attempt about to start (the first one starts the call's clock).</summary>
    public void StartAttempt()
    {
        if (Attempts++ == 0) _firstAttemptAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Time since the first attempt started.</summary>
    public TimeSpan SinceFirstAttempt =>
        Attempts == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - _firstAttemptAt) / (double)Stopwatch.Frequency);

    /// <summary>Records what the current attempt got.</summary>
    public void NoteAttempt(string what, bool mayHaveBeenApplied)
    {
        _history.Add($"attempt {Attempts}: {what}");
        if (mayHaveBeenApplied) MayHaveBeenApplied = true;
    }

    /// <summary>Something after the attempts (a body cut off after a 2xx) may have left it applied.</summary>
    public void NoteMaybeApplied(string reason)
    {
        if (MayHaveBeenApplied) return;
        MayHaveBeenApplied = true;
        _history.Add("then " + reason);
    }

    /// <summary>"attempt 1: no answer …; attempt 2: HTTP 503 …": what each attempt did.</summary>
    public string History => string.Join("; ", _history);

    /// <summary>Who applied a successful answer: a replay is an earlier call's unless an
    /// attempt of this call may have been applied; then a key made for this call makes it
    /// this call's, and for a key that came with the row, the age of the server's record
    /// (its time against the server's Date) decides: younger than this call means this call.</summary>
    public AppliedBy Attribute(bool replayed, TimeSpan? recordAge)
    {
        if (!replayed) return AppliedBy.ThisCall;
        if (!MayHaveBeenApplied) return AppliedBy.EarlierCall;
        if (!KeyFromCaller) return AppliedBy.ThisCall;
        // Dates count whole seconds, so the measured age may be up to a second short: a
        // record written in the second before this call started would pass for this call's.
        // Only a re-run racing its own earlier run falls in that second.
        if (recordAge is TimeSpan age) return age <= SinceFirstAttempt ? AppliedBy.ThisCall : AppliedBy.EarlierCall;
        return AppliedBy.ThisOrEarlierCall;
    }

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
