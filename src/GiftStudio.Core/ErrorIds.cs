namespace GiftStudio;

/// <summary>Every error id the module raises (the first part of an ErrorRecord's
/// FullyQualifiedErrorId), in one place. Stable: scripts match on them, and
/// docs/help/about_GiftStudio.md explains each one (ErrorIdCatalogTests checks both that no
/// id is written anywhere else and that every one is explained).</summary>
public static class ErrorIds
{
    // ---- input refused before anything is sent (InvalidArgument) ----------------------

    /// <summary>The prefix of a value that breaks its parameter's rule: Invalid&lt;Parameter&gt;, e.g. InvalidReward.</summary>
    public const string InvalidPrefix = "Invalid";

    /// <summary>The prefix of a required value not given: Missing&lt;Parameter&gt;, e.g. MissingUserId.</summary>
    public const string MissingPrefix = "Missing";

    /// <summary>The id of a value of <paramref name="parameter"/> that breaks its rule (StrictInput's checks).</summary>
    public static string Invalid(string parameter) => InvalidPrefix + parameter;

    /// <summary>The id of a required <paramref name="parameter"/> that was not given.</summary>
    public static string Missing(string parameter) => MissingPrefix + parameter;

    /// <summary>-IdempotencyKey is empty, too long or not printable ASCII.</summary>
    public const string InvalidIdempotencyKey = "InvalidIdempotencyKey";

    /// <summary>-IdempotencyKeyPrefix is too long or not printable ASCII.</summary>
    public const string InvalidIdempotencyKeyPrefix = "InvalidIdempotencyKeyPrefix";

    /// <summary>One literal -IdempotencyKey given for several pipeline items.</summary>
    public const string IdempotencyKeyReused = "IdempotencyKeyReused";

    /// <summary>-IdempotencyKey and -IdempotencyKeyPrefix given together.</summary>
    public const string IdempotencyKeyConflict = "IdempotencyKeyConflict";

    /// <summary>An idempotency key on a method other than POST.</summary>
    public const string IdempotencyKeyNotApplicable = "IdempotencyKeyNotApplicable";

    /// <summary>Invoke-SocialOSRequest -Path outside the base URI, or malformed.</summary>
    public const string InvalidPath = "InvalidPath";

    /// <summary>A header the client owns (Authorization, Idempotency-Key, transport headers).</summary>
    public const string HeaderNotAllowed = "HeaderNotAllowed";

    /// <summary>A header with a malformed name or a line break in its value, or a body header without a body.</summary>
    public const string InvalidHeader = "InvalidHeader";

    /// <summary>A request body that is not JSON or cannot be serialized as JSON.</summary>
    public const string InvalidBody = "InvalidBody";

    /// <summary>A query entry without a name, or a value that is not a finite number.</summary>
    public const string InvalidQuery = "InvalidQuery";

    /// <summary>-Paginate on a method other than GET.</summary>
    public const string InvalidPaginate = "InvalidPaginate";

    /// <summary>A calendar period whose -From is after its -To.</summary>
    public const string PeriodFromAfterTo = "PeriodFromAfterTo";

    /// <summary>A calendar period that starts after the server's today.</summary>
    public const string PeriodInFuture = "PeriodInFuture";

    /// <summary>A calendar period beyond the API's longest window (LimitsExceeded).</summary>
    public const string PeriodTooFarBack = "PeriodTooFarBack";

    /// <summary>More than one of -Window, -Month, -Quarter, -From/-To.</summary>
    public const string ConflictingPeriod = "ConflictingPeriod";

    /// <summary>A base URI that is not an absolute http(s) URI.</summary>
    public const string InvalidBaseUri = "InvalidBaseUri";

    /// <summary>A proxy that is not an absolute http(s) URI.</summary>
    public const string InvalidProxy = "InvalidProxy";

    /// <summary>-ProxyCredential without -Proxy.</summary>
    public const string InvalidProxyCredential = "InvalidProxyCredential";

    /// <summary>Start-SocialSandbox -InMemory together with -DataPath or -Fresh.</summary>
    public const string InvalidInMemory = "InvalidInMemory";

    /// <summary>Start-SocialSandbox -ApiKey that the sandbox would not serve.</summary>
    public const string InvalidApiKey = "InvalidApiKey";

    /// <summary>Start-SocialSandbox -Seed outside what the sandbox accepts (<see cref="SandboxSeed"/>).</summary>
    public const string InvalidSeed = "InvalidSeed";

    // ---- the connection ----------------------------------------------------------------

    /// <summary>No API key anywhere (AuthenticationError).</summary>
    public const string NoApiKey = "NoApiKey";

    /// <summary>No connection given, current or in the environment (AuthenticationError).</summary>
    public const string NotConnected = "NotConnected";

    /// <summary>The key would go over plain http to a host other than loopback (SecurityError).</summary>
    public const string InsecureTransport = "InsecureTransport";

    // ---- the server's answer, or none ----------------------------------------------------

    /// <summary>A write that this call may have applied: an answer was lost after sending.</summary>
    public const string ApiOutcomeUnknown = "ApiOutcomeUnknown";

    /// <summary>Not sent: the connection's circuit breaker is open.</summary>
    public const string ApiCircuitOpen = "ApiCircuitOpen";

    /// <summary>No answer within the timeout, or HTTP 408.</summary>
    public const string ApiTimeout = "ApiTimeout";

    /// <summary>No HTTP answer: DNS, refused or dropped connections.</summary>
    public const string ApiUnreachable = "ApiUnreachable";

    /// <summary>HTTP 400.</summary>
    public const string ApiValidationFailed = "ApiValidationFailed";

    /// <summary>HTTP 401.</summary>
    public const string ApiUnauthorized = "ApiUnauthorized";

    /// <summary>HTTP 403.</summary>
    public const string ApiForbidden = "ApiForbidden";

    /// <summary>HTTP 404: no such resource, or a route this server does not offer.</summary>
    public const string ApiNotFound = "ApiNotFound";

    /// <summary>HTTP 405.</summary>
    public const string ApiMethodNotAllowed = "ApiMethodNotAllowed";

    /// <summary>HTTP 409: the same idempotent request is still running.</summary>
    public const string ApiConflict = "ApiConflict";

    /// <summary>HTTP 413.</summary>
    public const string ApiPayloadTooLarge = "ApiPayloadTooLarge";

    /// <summary>HTTP 415.</summary>
    public const string ApiUnsupportedMediaType = "ApiUnsupportedMediaType";

    /// <summary>HTTP 422: a rule of the server broken.</summary>
    public const string ApiRuleViolation = "ApiRuleViolation";

    /// <summary>HTTP 429, after the retries.</summary>
    public const string ApiRateLimited = "ApiRateLimited";

    /// <summary>HTTP 5xx, after the retries.</summary>
    public const string ApiServerError = "ApiServerError";

    /// <summary>Any other non-2xx status.</summary>
    public const string ApiError = "ApiError";

    // ---- the sandbox -------------------------------------------------------------------

    /// <summary>The sandbox server is missing from the module folder (NotInstalled).</summary>
    public const string SandboxNotFound = "SandboxNotFound";

    /// <summary>No dotnet host able to run the sandbox (NotInstalled).</summary>
    public const string DotnetNotFound = "DotnetNotFound";

    /// <summary>The sandbox did not start, or did not become healthy in time (InvalidResult).</summary>
    public const string SandboxStartFailed = "SandboxStartFailed";

    /// <summary>Stop-SocialSandbox for a process this session did not start.</summary>
    public const string SandboxNotStartedHere = "SandboxNotStartedHere";

    // ---- anything else -------------------------------------------------------------------

    /// <summary>A failure the module has no id for (a bug): the exception says what happened.</summary>
    public const string UnexpectedError = "UnexpectedError";
}
