using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GiftStudio.Sandbox.Http;

/// <summary>Requests per tenant and route since start (GET /_sandbox/stats), so a test can
/// count what a client really sent.</summary>
public sealed class RequestStats
{
    private readonly ConcurrentDictionary<(long Tenant, string Route), long> _counts = new();

    public void Count(long tenant, HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        _counts.AddOrUpdate((tenant, context.Request.Method + " " + route), 1, (_, n) => n + 1);
    }

    public SortedDictionary<string, long> For(long tenant) =>
        new(_counts.Where(p => p.Key.Tenant == tenant).ToDictionary(p => p.Key.Route, p => p.Value));
}
