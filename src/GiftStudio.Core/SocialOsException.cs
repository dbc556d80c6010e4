using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace GiftStudio;

/// <summary>An API call that failed: the HTTP status, the problem details the server sent
/// (RFC 9457) and the X-Request-Id to quote to its operators. A status of 0 means no HTTP
/// answer at all (network failure or timeout).</summary>
[Serializable]
public sealed class SocialOsException : Exception
{
    public SocialOsException(string message, int statusCode, string? requestId, string method, Uri? requestUri,
        string? problemType = null, string? title = null, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        RequestId = requestId;
        Method = method;
        RequestUri = requestUri;
        ProblemType = problemType;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public int StatusCode { get; }
    public HttpStatusCode Status => (HttpStatusCode)StatusCode;
    public string? RequestId { get; }
    public string Method { get; }
    public Uri? RequestUri { get; }
    public string? ProblemType { get; }
    public string? Title { get; }
    public string? Detail { get; }
    /// <summary>Field name → what was wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
    /// <summary>Seconds the server asked to wait (Retry-After), when it said so.</summary>
    public TimeSpan? RetryAfter { get; internal set; }

    /// <summary>The Idempotency-Key the call sent (every attempt of it); null for reads.</summary>
    public string? IdempotencyKey { get; internal set; }

    /// <summary>Whether the call may have been applied at the server.</summary>
    public CallOutcome Outcome { get; internal set; } = CallOutcome.NotApplied;

    /// <summary>What a second send of the request can do (<see cref="RequestKinds"/>).</summary>
    public RequestKind Kind { get; internal set; } = RequestKind.Safe;

    /// <summary>Whether an attempt of this call may have been applied (its answer was lost);
    /// false when the outcome is unknown only because the key came with the row.</summary>
    public bool MayHaveBeenAppliedNow { get; internal set; }

    /// <summary>True when no request got any answer while this call waited: the server looks hung, not slow.</summary>
    public bool ServerSilent { get; internal set; }

    /// <summary>What to do with the failed row: re-run it as it is (same key), fix it and send
    /// it as new, or, for a request that may have been applied and cannot be sent twice
    /// safely, check at the server first.</summary>
    public WriteRecovery Recovery => RecoveryOf(Outcome, Kind);

    /// <summary>The one rule from outcome and kind to recovery.</summary>
    public static WriteRecovery RecoveryOf(CallOutcome outcome, RequestKind kind)
    {
        if (outcome == CallOutcome.Refused) return WriteRecovery.FixAndSendAsNew;
        return outcome == CallOutcome.Unknown && !kind.MaySendAgain() ? WriteRecovery.CheckAtServerFirst : WriteRecovery.RerunAsIs;
    }

    /// <summary>True when the call was never sent because the connection's circuit breaker is open.</summary>
    public bool CircuitOpen { get; internal set; }

    /// <summary>Network attempts the call made (0 when the circuit breaker refused it at once).</summary>
    public int Attempts { get; internal set; }

    /// <summary>The named fields, e.g. "tier" for a validation error about the tier.</summary>
    public string FieldNames => string.Join(", ", Errors.Keys.OrderBy(k => k, StringComparer.Ordinal));
}

/// <summary>An input the published contract rules out, caught before any request is sent.</summary>
[Serializable]
public sealed class SocialOsInputException : ArgumentException
{
    public SocialOsInputException(string errorId, string parameterName, object? value, string message)
        : base(message, parameterName)
    {
        ErrorId = errorId;
        Value = value;
    }

    /// <summary>A stable name for the rule that was broken, e.g. InvalidTier.</summary>
    public string ErrorId { get; }

    /// <summary>Refused before anything was sent: the row itself must change.</summary>
    public CallOutcome Outcome => CallOutcome.Refused;

    /// <summary>Fix the row, then send it as new.</summary>
    public WriteRecovery Recovery => WriteRecovery.FixAndSendAsNew;

    /// <summary>The sentence alone: it already names the parameter.</summary>
    public override string Message => Detail;

    private string Detail => base.Message.Split(new[] { " (Parameter '" }, StringSplitOptions.None)[0];
    public object? Value { get; }
}
