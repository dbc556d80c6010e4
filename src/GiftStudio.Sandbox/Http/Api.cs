using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GiftStudio.Sandbox.Http;

/// <summary>The routes of the contract (Part A and the Part B extensions) under /v2.</summary>
public sealed class Api
{
    /// <summary>Names the unknown properties of a body that were ignored (absent when none).</summary>
    public const string IgnoredPropertiesHeader = "X-Ignored-Properties";

    private readonly bool _strictProperties;

    private readonly SandboxStore _store;
    private readonly Idempotency _idempotency;
    private readonly Clock _clock;
    private readonly RequestStats _stats;
    private readonly FaultInjector? _faults;

    public Api(SandboxStore store, Idempotency idempotency, Clock clock, RequestStats stats, FaultInjector? faults, bool strictProperties = false)
    {
        _strictProperties = strictProperties;
        _store = store;
        _idempotency = idempotency;
        _clock = clock;
        _stats = stats;
        _faults = faults;
    }

    /// <summary>Every route with its methods, once: each is mapped, and any other method on its
    /// path answers 405 naming these. HEAD answers like GET on /health (Kestrel sends the
    /// headers, Content-Length included, without the body).</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        var routes = new (string Pattern, string[] Methods, RequestDelegate Handler)[]
        {
            ("/health", new[] { "GET", "HEAD" }, Ready),
            ("/health/live", new[] { "GET", "HEAD" }, Live),
            ("/v2/gamification/gifts", new[] { "GET" }, ListGifts),
            ("/v2/gamification/gifts", new[] { "POST" }, CreateGift),
            ("/v2/gamification/gifts/{giftId}", new[] { "GET" }, GetGift),
            ("/v2/gamification/score", new[] { "POST" }, UpdateScore),
            ("/v2/gamification/score/{userId}", new[] { "GET" }, GetScore),
            ("/v2/analytics", new[] { "GET" }, Analytics),
            ("/_sandbox/stats", new[] { "GET" }, Stats),
            ("/_sandbox/reset", new[] { "POST" }, Reset),
            ("/_sandbox/clock", new[] { "POST" }, AdvanceClock),
        };
        foreach (var (pattern, methods, handler) in routes) app.MapMethods(pattern, methods, handler);
        foreach (var path in routes.GroupBy(r => r.Pattern))
            MethodNotAllowed(app, path.Key, path.SelectMany(r => r.Methods).ToArray());
        // "{*path}": the default fallback pattern skips file-like paths (/report.csv).
        app.MapFallback("{*path}", context => throw ApiProblem.NotFound($"There is no route {context.Request.Path.Value}."));
    }

    /// <summary>A known route with another method: 405 with Allow. Order 1 lets the route's
    /// own methods win.</summary>
    private static void MethodNotAllowed(IEndpointRouteBuilder app, string pattern, string[] allowed) =>
        app.Map(pattern, context => throw new ApiProblem(405, "method-not-allowed", "Method not allowed",
                $"{context.Request.Method} is not allowed on {context.Request.Path.Value}; allowed: {string.Join(", ", allowed)}.")
        { Allow = allowed })
            .WithOrder(1);

    /// <summary>Liveness: 200 whenever the process answers.</summary>
    private static Task Live(HttpContext context) =>
        Reply.Ok(new HealthDto("ok", SandboxVersion.Text), WireJson.Wire.HealthDto).WriteAsync(context);

    /// <summary>Readiness: 200 while the data file takes writes; 503 naming the reason after a
    /// write could not be stored, until a write (a client's, or this route's probe) is stored
    /// again. /health/live is liveness: 200 whenever the process answers.</summary>
    private async Task Ready(HttpContext context)
    {
        if (_store.Database.WriteFailure is not null && await _store.Database.ProbeWriteAsync() is { } reason)
            throw new ApiProblem(503, "not-ready", "Not ready",
                $"The sandbox cannot store writes: {reason}. Reads are still answered; /health answers 200 again once a write is stored.",
                ProblemErrors.One("storage", reason));
        await Reply.Ok(new HealthDto("ok", SandboxVersion.Text), WireJson.Wire.HealthDto).WriteAsync(context);
    }

    private async Task CreateGift(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        RequestValidation.CheckJsonContentType(context.Request.ContentType);
        var reply = await _idempotency.ExecuteAsync(context, tenant, () => JsonBody.ReadAsync(context),
            json => RequestValidation.ReadGift(NoteIgnored(context, json, RequestValidation.GiftFields), _clock.Now, _strictProperties),
            (c, gift) => Reply.Ok(_store.CreateGift(c, tenant.Id, gift), WireJson.Wire.GiftDto));
        await reply.WriteAsync(context);
    }

    private async Task UpdateScore(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        RequestValidation.CheckJsonContentType(context.Request.ContentType);
        var reply = await _idempotency.ExecuteAsync(context, tenant, () => JsonBody.ReadAsync(context),
            json => RequestValidation.ReadScore(NoteIgnored(context, json, RequestValidation.ScoreFields), _strictProperties),
            (c, change) => Reply.Ok(_store.ApplyScore(c, tenant.Id, change), WireJson.Wire.ScoreDto));
        await reply.WriteAsync(context);
    }

    private async Task GetGift(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        var giftId = (string)context.Request.RouteValues["giftId"]!;
        RequestValidation.ValidGiftId(giftId, "gift_id");
        var gift = _store.Database.Read(c => _store.FindGift(c, tenant.Id, giftId))
            ?? throw ApiProblem.NotFound($"Gift '{giftId}' does not exist.");
        await Reply.Ok(gift, WireJson.Wire.GiftDto).WriteAsync(context);
    }

    private async Task ListGifts(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        var query = RequestValidation.ReadGiftQuery(context.Request.Query);
        var page = _store.Database.Read(c => _store.ListGifts(c, tenant.Id, query.Tier, query.Active, query.Limit, query.After));
        await Reply.Ok(page, WireJson.Wire.GiftPageDto).WriteAsync(context);
    }

    private async Task GetScore(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        var userId = RequestValidation.ReadScoreQuery((string?)context.Request.RouteValues["userId"], context.Request.Query);
        var score = _store.Database.Read(c => _store.FindScore(c, tenant.Id, userId))
            ?? throw ApiProblem.NotFound($"User '{userId}' has no score events.");
        await Reply.Ok(score, WireJson.Wire.ScoreDto).WriteAsync(context);
    }

    private async Task Analytics(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        switch (RequestValidation.ReadAnalyticsQuery(context.Request.Query, _clock.Now))
        {
            case CurrencyQuery currency:
                {
                    var audit = _store.Database.Read(c => CurrencyAudit.Read(c, tenant.Id, currency.Metric, currency.Window));
                    await Reply.Ok(audit, WireJson.Wire.CurrencyAuditDto).WriteAsync(context);
                    break;
                }
            case LeaderboardQuery leaderboard:
                {
                    var board = _store.Database.Read(c => _store.Leaderboard(c, tenant.Id, leaderboard.Limit));
                    await Reply.Ok(board, WireJson.Wire.LeaderboardDto).WriteAsync(context);
                    break;
                }
        }
    }

    /// <summary>Sandbox diagnostics (not part of the contract): the caller's requests per
    /// route, and what --faults injected (null when off).</summary>
    private Task Stats(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        var stats = new SandboxStatsDto(_stats.For(tenant.Id), _faults is null ? null : new SortedDictionary<string, long>(_faults.Counts.ToDictionary(p => p.Key, p => p.Value)));
        return Reply.Ok(stats, WireJson.Wire.SandboxStatsDto).WriteAsync(context);
    }

    /// <summary>Test isolation (not part of the contract): removes the caller's gifts, scores,
    /// events and idempotency records, and its request counts; never another tenant's.</summary>
    private async Task Reset(HttpContext context)
    {
        var tenant = Authentication.TenantOf(context);
        var removed = await _store.Database.WriteAsync(c => _store.ResetTenant(c, tenant.Id));
        _stats.Clear(tenant.Id);
        await Reply.Ok(removed, WireJson.Wire.ResetDto).WriteAsync(context);
    }

    /// <summary>POST /_sandbox/clock?advance=SECONDS: moves a --clock manual clock forward, for
    /// tests of anything timed. Any key may do it: the clock is the whole sandbox's.</summary>
    private async Task AdvanceClock(HttpContext context)
    {
        Authentication.TenantOf(context);
        if (!_clock.Manual)
            throw new ApiProblem(409, "clock-not-manual", "The clock is real", "The clock moves only when the sandbox runs with --clock manual.");
        _clock.Advance(RequestValidation.ReadClockAdvance(context.Request.Query));
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($"{{\"now\":\"{Rfc3339.Format(_clock.NowMs)}\"}}");
    }

    /// <summary>Unknown properties stay ignored (the contract), but the reply and the log name
    /// them, so a typo (expire for expires) shows. With --strict-properties they are refused.</summary>
    private StrictJson NoteIgnored(HttpContext context, StrictJson json, IReadOnlyCollection<string> known)
    {
        var unknown = json.UnknownProperties(known);
        if (unknown.Count > 0 && !_strictProperties)
        {
            RequestNotes.Of(context).IgnoredProperties = unknown;
            context.Response.Headers[IgnoredPropertiesHeader] = string.Join(", ", unknown);
        }
        return json;
    }
}
