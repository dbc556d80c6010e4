using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>Every response carries the rate-limit headers: an unmetered bucket until
/// <see cref="RateLimiting"/> reports the key's own (so a 401, or /health, has them too).</summary>
public sealed class RateLimitHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        RateLimiter.Unmetered.Apply(context.Response.Headers);
        return next(context);
    }
}

/// <summary>A /v2 request spends one token of its key's bucket and reports the bucket; an
/// empty bucket is a 429. The control routes (/_sandbox/stats, reset, clock) are the test's,
/// not the client's: they neither spend nor are refused.</summary>
public sealed class RateLimiting(RequestDelegate next, RateLimiter rateLimiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (Authentication.IsApi(context.Request.Path))
        {
            var decision = rateLimiter.Take(Authentication.TenantOf(context).Id);
            decision.Apply(context.Response.Headers);
            if (!decision.Allowed)
                throw new ApiProblem(429, "quota-exceeded", "Too many requests",
                    $"This key may make {rateLimiter.Rate:0.##} requests per second; retry after {decision.RetryAfterSeconds} s.")
                { RetryAfterSeconds = decision.RetryAfterSeconds };
        }
        return next(context);
    }
}
