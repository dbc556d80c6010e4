using System;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Http;

/// <summary>What every request passes first: a request id, one log line, the rate-limit
/// headers, authentication for /v2, and the conversion of any failure into a problem body.</summary>
public sealed class Gate
{
    private const string TenantItem = "giftstudio.tenant";

    private readonly RequestDelegate _next;
    private readonly ILogger _log;
    private readonly Tenants _tenants;
    private readonly RateLimiter _rateLimiter;
    private readonly RequestStats _stats;
    private readonly FaultInjector? _faults;

    public Gate(RequestDelegate next, ILoggerFactory logs, Tenants tenants, RateLimiter rateLimiter, RequestStats stats, FaultInjector? faults = null)
    {
        _next = next;
        _log = logs.CreateLogger("GiftStudio.Sandbox.Requests");
        _tenants = tenants;
        _rateLimiter = rateLimiter;
        _stats = stats;
        _faults = faults;
    }

    public static Tenant TenantOf(HttpContext context) =>
        context.Items[TenantItem] as Tenant ?? throw new InvalidOperationException("No tenant: the route is not behind authentication.");

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = context.Response;
        response.Headers["X-Request-Id"] = requestId;
        Tenant? tenant = null;
        RateLimiter.Unmetered.Apply(response.Headers);
        try
        {
            var api = context.Request.Path.StartsWithSegments("/v2");
            if (api || context.Request.Path.StartsWithSegments("/_sandbox"))
            {
                tenant = Authenticate(context);
                context.Items[TenantItem] = tenant;
                _stats.Count(tenant.Id, context);
                var decision = _rateLimiter.Take(tenant.Id);
                decision.Apply(response.Headers);
                if (!decision.Allowed)
                    throw new ApiProblem(429, "quota-exceeded", "Too many requests",
                        $"This key may make {_rateLimiter.Rate:0.##} requests per second; retry after {decision.RetryAfterSeconds} s.")
                    { RetryAfterSeconds = decision.RetryAfterSeconds };
            }
            if (api && _faults is not null) await _faults.InvokeAsync(context, _next);
            else await _next(context);
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
        }
        catch (Exception error) when (!response.HasStarted)
        {
            _log.LogError(error, "Request {RequestId} failed", requestId);
            await Reply.WriteProblemAsync(context, new ApiProblem(500, "internal", "Internal error",
                $"The sandbox could not handle this request; its log has the details under request id {requestId}."));
        }
        finally
        {
            _log.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0}ms {RequestId} tenant={Tenant}",
                context.Request.Method, context.Request.Path.Value, response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, tenant?.ShortName ?? "-");
        }
    }

    private Tenant Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count == 0)
            throw ApiProblem.Unauthorized("No API key: send the header 'Authorization: Bearer <API key>'.");
        var value = header.Count == 1 ? header[0] ?? "" : "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw ApiProblem.Unauthorized("The Authorization header must use the Bearer scheme: 'Authorization: Bearer <API key>'.");
        return _tenants.Find(value.AsSpan(7).Trim())
            ?? throw ApiProblem.Unauthorized("The API key is not valid for this server.");
    }
}
