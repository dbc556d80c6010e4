using System;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Http;

/// <summary>Turns any failure of a request, before its answer started, into a problem body:
/// an <see cref="ApiProblem"/> as it is, a storage failure as 507, anything else as a logged 500.
/// A request the client abandoned is noted as dropped.</summary>
public sealed class ProblemResponses(RequestDelegate next, ILoggerFactory logs)
{
    private readonly ILogger _log = logs.CreateLogger(RequestLogging.Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var response = context.Response;
        try
        {
            await next(context);
        }
        catch (ApiProblem problem) when (!response.HasStarted)
        {
            await Reply.WriteProblemAsync(context, problem);
        }
        catch (BadHttpRequestException bad) when (!response.HasStarted)
        {
            await Reply.WriteProblemAsync(context, new ApiProblem(bad.StatusCode, "bad-request", "Bad request", bad.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing left to answer.
            RequestNotes.Of(context).Dropped = true;
        }
        catch (Exception error) when (!response.HasStarted && StorageFailure.Reason(error) is { } reason)
        {
            await Reply.WriteProblemAsync(context, StorageFailure.Problem(reason));
        }
        catch (Exception error) when (!response.HasStarted)
        {
            var requestId = context.TraceIdentifier;
            _log.LogError(error, "Request {RequestId} failed", requestId);
            await Reply.WriteProblemAsync(context, new ApiProblem(500, "internal", "Internal error",
                $"The sandbox could not handle this request; its log has the details under request id {requestId}."));
        }
    }
}
