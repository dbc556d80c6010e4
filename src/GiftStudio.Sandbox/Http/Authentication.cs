using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>/v2 and /_sandbox need an API key (Authorization: Bearer): its tenant is the
/// request's, and the request is counted for that tenant (/_sandbox/stats).</summary>
public sealed class Authentication(RequestDelegate next, Tenants tenants, RequestStats stats)
{
    private const string TenantItem = "giftstudio.tenant";

    /// <summary>The authenticated caller of a route behind this middleware.</summary>
    public static Tenant TenantOf(HttpContext context) =>
        TenantOrNull(context) ?? throw new InvalidOperationException("No tenant: the route is not behind authentication.");

    /// <summary>The caller, or null when the request was not (or not yet) authenticated.</summary>
    public static Tenant? TenantOrNull(HttpContext context) => context.Items[TenantItem] as Tenant;

    /// <summary>The contract's routes (the rate limit and --faults apply to these only).</summary>
    internal static bool IsApi(PathString path) => path.StartsWithSegments("/v2");

    public Task InvokeAsync(HttpContext context)
    {
        if (IsApi(context.Request.Path) || context.Request.Path.StartsWithSegments("/_sandbox"))
        {
            var tenant = Authenticate(context);
            context.Items[TenantItem] = tenant;
            stats.Count(tenant.Id, context);
        }
        return next(context);
    }

    private Tenant Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count == 0)
            throw ApiProblem.Unauthorized("No API key: send the header 'Authorization: Bearer <API key>'.");
        var value = header.Count == 1 ? header[0] ?? "" : "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw ApiProblem.Unauthorized("The Authorization header must use the Bearer scheme: 'Authorization: Bearer <API key>'.");
        return tenants.Find(value.AsSpan(7).Trim())
            ?? throw ApiProblem.Unauthorized("The API key is not valid for this server.");
    }
}
