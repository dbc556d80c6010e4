using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GiftStudio.Sandbox.Http;

/// <summary>Requests per tenant and route since start (GET /_sandbox/stats), so a test can
/// count what a client really sent; and the totals served, for the shutdown line.</summary>
public sealed class RequestStats
{
    private readonly ConcurrentDictionary<(long Tenant, string Route), long> _counts = new();
    private long _total, _success, _clientErrors, _serverErrors, _dropped, _replayed;

    public void Count(long tenant, HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        _counts.AddOrUpdate((tenant, context.Request.Method + " " + route), 1, (_, n) => n + 1);
    }

    public SortedDictionary<string, long> For(long tenant) =>
        new(_counts.Where(p => p.Key.Tenant == tenant).ToDictionary(p => p.Key.Route, p => p.Value));

    /// <summary>POST /_sandbox/reset: the tenant's counts start again.</summary>
    public void Clear(long tenant)
    {
        foreach (var key in _counts.Keys.Where(k => k.Tenant == tenant).ToList()) _counts.TryRemove(key, out _);
    }

    /// <summary>One finished request, as its log line reports it.</summary>
    public void Served(int status, bool dropped, bool replayed)
    {
        Interlocked.Increment(ref _total);
        if (dropped) Interlocked.Increment(ref _dropped);
        else if (status >= 500) Interlocked.Increment(ref _serverErrors);
        else if (status >= 400) Interlocked.Increment(ref _clientErrors);
        else Interlocked.Increment(ref _success);
        if (replayed) Interlocked.Increment(ref _replayed);
    }

    public IReadOnlyList<KeyValuePair<string, long>> Totals => new KeyValuePair<string, long>[]
    {
        new("requests", Interlocked.Read(ref _total)),
        new("success", Interlocked.Read(ref _success)),
        new("client_errors", Interlocked.Read(ref _clientErrors)),
        new("server_errors", Interlocked.Read(ref _serverErrors)),
        new("dropped", Interlocked.Read(ref _dropped)),
        new("replayed", Interlocked.Read(ref _replayed)),
    };
}
