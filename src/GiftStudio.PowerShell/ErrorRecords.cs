using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>The one place where an exception becomes an ErrorRecord: a stable error id,
/// the right category, the input as target, and for API errors the status and request id
/// in the message (the exception itself carries them as properties too).</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception error, object? target)
    {
        switch (error)
        {
            case SocialOsInputException input:
                // A period beyond the API's longest window is a limit, not a malformed value.
                return Record(input, input.ErrorId,
                    input.ErrorId == ErrorIds.PeriodTooFarBack ? ErrorCategory.LimitsExceeded : ErrorCategory.InvalidArgument, target,
                    "Fix the input, then send it again: nothing was sent.");
            case SocialOsConfigurationException configuration:
                return Record(configuration, configuration.ErrorId,
                    configuration.ErrorId == ErrorIds.InsecureTransport ? ErrorCategory.SecurityError : ErrorCategory.AuthenticationError, target,
                    configuration.ErrorId == ErrorIds.InsecureTransport ? "Use an https:// base URI." : "Run Connect-SocialOS -ApiKey (Read-Host -AsSecureString), or set SOCIALOS_API_KEY.");
            case SocialOsException api:
                {
                    var (id, category, action) = Classify(api);
                    return Record(api, id, category, target, WithRecovery(api, action));
                }
            default:
                return Record(error, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target, null);
        }
    }

    public static ErrorRecord Record(Exception error, string errorId, ErrorCategory category, object? target, string? recommendedAction)
    {
        var record = new ErrorRecord(error, errorId, category, target);
        if (recommendedAction != null) record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = recommendedAction };
        return record;
    }

    /// <summary>Error ids by HTTP status; stable, documented in about_GiftStudio.</summary>
    internal static (string Id, ErrorCategory Category, string? Action) Classify(SocialOsException api)
    {
        // A write whose attempt may have been applied is neither "unreachable" nor "failed": it
        // is unknown. (Unknown only because its key came with the row: what this call saw.)
        if (api.Outcome == CallOutcome.Unknown && api.MayHaveBeenAppliedNow)
            return (ErrorIds.ApiOutcomeUnknown, ErrorCategory.ConnectionError, null);
        if (api.CircuitOpen)
            return (ErrorIds.ApiCircuitOpen, ErrorCategory.ConnectionError, "Check that the service is up and answering (or start the sandbox), then re-run.");
        switch (api.StatusCode)
        {
            case 0 when api.ServerSilent:
                return (ErrorIds.ApiTimeout, ErrorCategory.OperationTimeout, "Check that the server is running and not hung (it answered nothing at all), then re-run.");
            case 0 when api.InnerException is TimeoutException:
                return (ErrorIds.ApiTimeout, ErrorCategory.OperationTimeout, "Raise Connect-SocialOS -TimeoutSec, or retry later.");
            case 0: return (ErrorIds.ApiUnreachable, ErrorCategory.ConnectionError, "Check the base URI and the network, or start a sandbox with Start-SocialSandbox.");
            case 400: return (ErrorIds.ApiValidationFailed, ErrorCategory.InvalidArgument, FieldsAction(api));
            case 401: return (ErrorIds.ApiUnauthorized, ErrorCategory.AuthenticationError, "Check the API key given to Connect-SocialOS (or SOCIALOS_API_KEY).");
            case 403: return (ErrorIds.ApiForbidden, ErrorCategory.PermissionDenied, null);
            case 404: return (ErrorIds.ApiNotFound, ErrorCategory.ObjectNotFound, null);
            case 405: return (ErrorIds.ApiMethodNotAllowed, ErrorCategory.InvalidOperation, null);
            case 408: return (ErrorIds.ApiTimeout, ErrorCategory.OperationTimeout, null);
            case 409: return (ErrorIds.ApiConflict, ErrorCategory.ResourceBusy, "Retry after a short wait: the same request is still being processed.");
            case 413: return (ErrorIds.ApiPayloadTooLarge, ErrorCategory.LimitsExceeded, null);
            case 415: return (ErrorIds.ApiUnsupportedMediaType, ErrorCategory.InvalidType, null);
            case 422: return (ErrorIds.ApiRuleViolation, ErrorCategory.InvalidOperation, FieldsAction(api));
            case 429: return (ErrorIds.ApiRateLimited, ErrorCategory.LimitsExceeded, "Retry later, or lower -ThrottleLimit.");
        }
        return api.StatusCode >= 500
            ? (ErrorIds.ApiServerError, ErrorCategory.ResourceUnavailable, "Retry later; quote the request id to the service's operators.")
            : (ErrorIds.ApiError, ErrorCategory.NotSpecified, null);
    }

    /// <summary>For a write, what to do with its row: re-run as it is with the same key, or fix it and send it as new.</summary>
    private static string? WithRecovery(SocialOsException api, string? action)
    {
        if (api.Recovery == WriteRecovery.CheckAtServerFirst)
            return (action == null ? "" : action + " ") + "Check at the server whether it was applied before sending it again: a second send may apply it twice.";
        if (api.IdempotencyKey == null) return action;
        var step = api.Recovery == WriteRecovery.RerunAsIs
            ? $"Re-run this row as it is, with idempotency key '{api.IdempotencyKey}' (the error's TargetObject carries it): the server applies it at most once."
            : $"Fix the row, then send it as new, without idempotency key '{api.IdempotencyKey}' (under it the server replays this refusal).";
        return action == null ? step : action + " " + step;
    }

    private static string? FieldsAction(SocialOsException api) =>
        api.Errors.Count == 0 ? null : $"Correct the value of: {api.FieldNames}.";
}
