using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using GiftStudio.Pipeline;
using GiftStudio.Wire;

namespace GiftStudio;

/// <summary>The one place where a failed call becomes a <see cref="SocialOsException"/>.</summary>
internal static class ErrorMapping
{
    public static SocialOsException FromResponse(string method, Uri uri, HttpResponseMessage response, byte[] content, CallRecord? call = null)
    {
        var status = (int)response.StatusCode;
        var requestId = RequestIdOf(response);
        var problem = TryReadProblem(response, content);
        var errors = problem?.Errors?.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        string what;
        if (problem?.Detail is { Length: > 0 } detail) what = detail;
        else if (problem?.Title is { Length: > 0 } title) what = title;
        else what = DescribeBody(response, content);
        var outcome = OutcomeOf(status, call);
        var message = LostAnswer(outcome, call)
            ? UnknownOutcome(method, uri, call!, IsGatewayGiveUp(status) ? "the gateway said: " + what : null, requestId)
            : $"{what} (HTTP {status} {response.ReasonPhrase}; {method} {uri.AbsolutePath}{Subject(call)}; request id {requestId ?? "none"}){NextStep(outcome, call)}";
        return Finish(new SocialOsException(message, status, requestId, method, uri, problem?.Type, problem?.Title, problem?.Detail, errors)
        {
            RetryAfter = RetryAfterOf(response),
        }, call, outcome);
    }

    /// <summary>A 404 for the route itself: this server does not offer it. Says whether the
    /// route is one of the contract's extensions, and when the base URI has no version path,
    /// that the routes live under /v2.</summary>
    public static SocialOsException RouteNotOffered(SocialOsException notFound, string route, bool extension, Uri baseUri)
    {
        var why = extension
            ? $"This server does not offer {route}, one of the SocialOS v2 contract's extensions beyond the vendor's published guide (GiftStudio's sandbox offers it; the hosted service may not)."
            : $"This server does not offer {route}, a route of the published SocialOS v2 API: check the base URI.";
        var said = notFound.Detail is { Length: > 0 } detail ? detail : notFound.Title;
        var message = $"{why}{VersionHint(baseUri)}{(said is { Length: > 0 } ? $" The server said: {said}" : "")} (HTTP 404; {notFound.Method} {notFound.RequestUri?.AbsolutePath}; request id {notFound.RequestId ?? "none"})";
        return new SocialOsException(message, notFound.StatusCode, notFound.RequestId, notFound.Method, notFound.RequestUri,
            notFound.ProblemType, notFound.Title, notFound.Detail, notFound.Errors, notFound)
        {
            RetryAfter = notFound.RetryAfter,
            Outcome = notFound.Outcome,
            Kind = notFound.Kind,
            MayHaveBeenAppliedNow = notFound.MayHaveBeenAppliedNow,
            IdempotencyKey = notFound.IdempotencyKey,
            Attempts = notFound.Attempts,
        };
    }

    /// <summary>A hint when the base URI lacks the version path (…/v2) that every route lives under.</summary>
    public static string VersionHint(Uri baseUri)
    {
        var last = baseUri.AbsolutePath.TrimEnd('/').Split('/').Last();
        var versioned = last.Length > 1 && (last[0] == 'v' || last[0] == 'V') && last.Skip(1).All(char.IsDigit);
        return versioned ? "" : $" The base URI {baseUri} has no version path; SocialOS v2 routes live under /v2, e.g. {new Uri(baseUri, "v2")}.";
    }

    public static SocialOsException UnreadableBody(string method, Uri uri, HttpResponseMessage response, byte[] content, Exception error, CallRecord? call = null)
    {
        var requestId = RequestIdOf(response);
        var status = (int)response.StatusCode;
        // A 2xx whose body cannot be read was done; the caller cannot tell what it returned.
        if (status < 300) call?.NoteMaybeApplied($"HTTP {status} with an unreadable body");
        var outcome = OutcomeOf(status, call);
        return Finish(new SocialOsException(
            $"The server answered HTTP {status} but its body could not be read as the expected JSON: {error.Message} Body starts: {Snippet(content)} ({method} {uri.AbsolutePath}{Subject(call)}; request id {requestId ?? "none"}){NextStep(outcome, call)}",
            status, requestId, method, uri, innerException: error), call, outcome);
    }

    public static SocialOsException Unreachable(string method, Uri uri, Exception error, CallRecord? call = null)
    {
        var outcome = OutcomeOf(0, call);
        var message = LostAnswer(outcome, call)
            ? UnknownOutcome(method, uri, call!, null, null)
            : $"Could not reach {uri.GetLeftPart(UriPartial.Authority)}: {error.GetBaseException().Message} ({method} {uri.AbsolutePath}{Subject(call)}){NextStep(outcome, call)}";
        return Finish(new SocialOsException(message, 0, null, method, uri, innerException: error), call, outcome);
    }

    public static SocialOsException Timeout(string method, Uri uri, TimeSpan timeout, Exception error, CallRecord? call = null)
    {
        call?.NoteMaybeApplied($"no answer within {timeout.TotalSeconds:0.#} s");
        var outcome = OutcomeOf(0, call);
        var silent = error is ServerSilentException;
        // A server that answers nothing at all is hung, not slow: a longer timeout would only wait longer.
        var advice = silent
            ? " The server answered no request at all meanwhile: it may be hung or frozen; check it, then re-run (a longer Connect-SocialOS -TimeoutSec would not help)."
            : " If the server is just slow, Connect-SocialOS -TimeoutSec raises the limit.";
        var message = LostAnswer(outcome, call)
            ? UnknownOutcome(method, uri, call!, null, null) + advice
            : $"No answer from {uri.GetLeftPart(UriPartial.Authority)} ({error.Message.TrimEnd('.')}; {method} {uri.AbsolutePath}{Subject(call)}).{advice}{NextStep(outcome, call)}";
        return Finish(new SocialOsException(message, 0, null, method, uri, innerException: silent ? error : new TimeoutException(error.Message, error)) { ServerSilent = silent }, call, outcome);
    }

    public static SocialOsException CircuitOpen(string method, Uri uri, Exception error, CallRecord? call = null)
    {
        var outcome = OutcomeOf(0, call);
        var because = $"{error.Message}: {uri.GetLeftPart(UriPartial.Authority)} looks down";
        var message = LostAnswer(outcome, call)
            ? UnknownOutcome(method, uri, call!, "then " + char.ToLowerInvariant(because[0]) + because.Substring(1), null)
            : $"Not sent: {because} ({method} {uri.AbsolutePath}{Subject(call)}). Connect-SocialOS -CircuitBreakerThreshold sets how many silent attempts open it and -StallTimeoutSec how long a silence does (0 turns either off).{NextStep(outcome, call)}";
        var exception = new SocialOsException(message, 0, null, method, uri, innerException: error) { CircuitOpen = true };
        return Finish(exception, call, outcome);
    }

    /// <summary>A refusal of the request itself (4xx other than 401, 403, 408, 409, 429) is
    /// definite. Else a request that changes something is unknown when an attempt may have
    /// been applied without an answer, or when its key came with the row (an earlier call may
    /// have sent it: a 503 now proves nothing about then); otherwise nothing was applied.</summary>
    private static CallOutcome OutcomeOf(int status, CallRecord? call)
    {
        if (status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 && status != 409 && status != 429)
            return CallOutcome.Refused;
        if (call == null || !call.Kind.Changes()) return CallOutcome.NotApplied;
        return call.MayHaveBeenApplied || call.KeyFromCaller ? CallOutcome.Unknown : CallOutcome.NotApplied;
    }

    /// <summary>Unknown because an attempt of this call lost its answer (not only because of an earlier call).</summary>
    private static bool LostAnswer(CallOutcome outcome, CallRecord? call) => outcome == CallOutcome.Unknown && call!.MayHaveBeenApplied;

    /// <summary>A gateway that gave up on the origin (502, 504): the origin may have applied
    /// the request. Its text is worth showing; a 503's "nothing was done" is not, after a lost answer.</summary>
    internal static bool IsGatewayGiveUp(int status) => status == 502 || status == 504;

    private static string UnknownOutcome(string method, Uri uri, CallRecord call, string? then, string? requestId) =>
        $"Outcome unknown: {method} {uri.GetLeftPart(UriPartial.Path)}{Subject(call)} may have been applied ({call.History}{(then != null ? "; " + then : "")}). "
        + SendAgainAdvice(method, call)
        + (requestId != null ? $" (request id {requestId})" : "");

    /// <summary>What to do with a request that may have been applied, by its kind.</summary>
    private static string SendAgainAdvice(string method, CallRecord call)
    {
        switch (call.Kind)
        {
            case RequestKind.IdempotentByKey:
                return $"Re-run it as it is, with the same idempotency key '{call.IdempotencyKey}': the server applies it at most once.";
            case RequestKind.IdempotentByMethod:
                return $"Re-run it as it is: {method} is idempotent, so sending it again leaves the same state as sending it once.";
            default:
                return "Check at the server before sending it again: without an idempotency key a second send may apply it twice.";
        }
    }

    private static string Subject(CallRecord? call) => call?.Describe() ?? "";

    private static string NextStep(CallOutcome outcome, CallRecord? call)
    {
        if (call == null || !call.Kind.Changes()) return "";
        switch (outcome)
        {
            case CallOutcome.Refused:
                return call.IdempotencyKey != null
                    ? " Fix the row, then send it as new: under the same key the server replays this refusal."
                    : " Fix the request before sending it again.";
            case CallOutcome.Unknown:
                // Unknown only through the key: nothing of this call was applied, an earlier call's send may have been.
                return $" None of this call's attempts applied it ({(call.Attempts == 0 ? "none was sent" : call.History)}), but its idempotency key '{call.IdempotencyKey}' came with it and an earlier call may have sent it, so whether it was applied is unknown. "
                    + SendAgainAdvice("", call);
            default:
                return " Nothing was applied: re-run it as it is.";
        }
    }

    private static SocialOsException Finish(SocialOsException exception, CallRecord? call, CallOutcome outcome)
    {
        exception.Outcome = outcome;
        exception.Kind = call?.Kind ?? RequestKind.Safe;
        exception.MayHaveBeenAppliedNow = outcome == CallOutcome.Unknown && call!.MayHaveBeenApplied;
        exception.IdempotencyKey = call?.IdempotencyKey;
        exception.Attempts = call?.Attempts ?? 0;
        return exception;
    }

    public static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Request-Id", out var values) ? values.FirstOrDefault() : null;

    /// <summary>Retry-After as delta-seconds or an HTTP date: the one place it is read.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response) => RetryAfterOf(response, DateTimeOffset.UtcNow);

    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is TimeSpan delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (retryAfter?.Date is DateTimeOffset date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    private static ProblemDto? TryReadProblem(HttpResponseMessage response, byte[] content)
    {
        if (content.Length == 0 || !JsonMediaType.Is(response.Content?.Headers.ContentType?.MediaType)) return null;
        try
        {
            return JsonSerializer.Deserialize(content, WireContext.Default.ProblemDto);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string DescribeBody(HttpResponseMessage response, byte[] content) =>
        content.Length == 0
            ? $"The server answered {(int)response.StatusCode} {response.ReasonPhrase} with no body"
            : $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}: {Snippet(content)}";

    /// <summary>The start of a body as one line of printable text (an HTML error page, say).</summary>
    private static string Snippet(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 300));
        var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return content.Length > 300 ? printable + "…" : printable;
    }
}
