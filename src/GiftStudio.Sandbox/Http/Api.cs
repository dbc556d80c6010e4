using System;
using System.Collections.Generic;
using System.IO;
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

    public void Map(IEndpointRouteBuilder app)
    {
        // HEAD answers like GET (Kestrel sends the headers, Content-Length included, without the body).
        app.MapMethods("/health", new[] { "GET", "HEAD" }, Ready);
        app.MapMethods("/health/live", new[] { "GET", "HEAD" }, context => Reply.Ok(new HealthDto("ok", SandboxVersion.Text), WireJson.Wire.HealthDto).WriteAsync(context));
        app.MapPost("/v2/gamification/gifts", CreateGift);
        app.MapGet("/v2/gamification/gifts", ListGifts);
        app.MapGet("/v2/gamification/gifts/{giftId}", GetGift);
        app.MapPost("/v2/gamification/score", UpdateScore);
        app.MapGet("/v2/gamification/score/{userId}", GetScore);
        app.MapGet("/v2/analytics", Analytics);
        app.MapGet("/_sandbox/stats", Stats);
        app.MapPost("/_sandbox/reset", Reset);
        app.MapPost("/_sandbox/clock", AdvanceClock);

        MethodNotAllowed(app, "/health", "GET", "HEAD");
        MethodNotAllowed(app, "/health/live", "GET", "HEAD");
        MethodNotAllowed(app, "/v2/gamification/gifts", "GET", "POST");
        MethodNotAllowed(app, "/v2/gamification/gifts/{giftId}", "GET");
        MethodNotAllowed(app, "/v2/gamification/score", "POST");
        MethodNotAllowed(app, "/v2/gamification/score/{userId}", "GET");
        MethodNotAllowed(app, "/v2/analytics", "GET");
        MethodNotAllowed(app, "/_sandbox/stats", "GET");
        MethodNotAllowed(app, "/_sandbox/reset", "POST");
        MethodNotAllowed(app, "/_sandbox/clock", "POST");
        // "{*path}": the default fallback pattern skips file-like paths (/report.csv).
        app.MapFallback("{*path}", context => throw ApiProblem.NotFound($"There is no route {context.Request.Path.Value}."));
    }

    /// <summary>A known route with another method: 405 with Allow. Order 1 lets the route's
    /// own methods win.</summary>
    private static void MethodNotAllowed(IEndpointRouteBuilder app, string pattern, params string[] allowed) =>
        app.Map(pattern, context => throw new ApiProblem(405, "method-not-allowed", "Method not allowed",
                $"{context.Request.Method} is not allowed on {context.Request.Path.Value}; allowed: {string.Join(", ", allowed)}.")
        { Allow = allowed })
            .WithOrder(1);

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
        var tenant = Gate.TenantOf(context);
        Requests.CheckJsonContentType(context.Request.ContentType);
        var reply = await _idempotency.ExecuteAsync(context, tenant, () => ReadJsonBodyAsync(context),
            json => Requests.ReadGift(NoteIgnored(context, json, Requests.GiftFields), _clock.Now, _strictProperties),
            (c, gift) => Reply.Ok(_store.CreateGift(c, tenant.Id, gift), WireJson.Wire.GiftDto));
        await reply.WriteAsync(context);
    }

    private async Task UpdateScore(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        Requests.CheckJsonContentType(context.Request.ContentType);
        var reply = await _idempotency.ExecuteAsync(context, tenant, () => ReadJsonBodyAsync(context),
            json => Requests.ReadScore(NoteIgnored(context, json, Requests.ScoreFields), _strictProperties),
            (c, change) => Reply.Ok(_store.ApplyScore(c, tenant.Id, change), WireJson.Wire.ScoreDto));
        await reply.WriteAsync(context);
    }

    private async Task GetGift(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        var giftId = (string)context.Request.RouteValues["giftId"]!;
        Requests.ValidGiftId(giftId, "gift_id");
        var gift = await _store.Database.ReadAsync(c => _store.FindGift(c, tenant.Id, giftId))
            ?? throw ApiProblem.NotFound($"Gift '{giftId}' does not exist.");
        await Reply.Ok(gift, WireJson.Wire.GiftDto).WriteAsync(context);
    }

    private async Task ListGifts(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        var query = Requests.ReadGiftQuery(context.Request.Query);
        var page = await _store.Database.ReadAsync(c => _store.ListGifts(c, tenant.Id, query.Tier, query.Active, query.Limit, query.After));
        await Reply.Ok(page, WireJson.Wire.GiftPageDto).WriteAsync(context);
    }

    private async Task GetScore(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        var userId = Requests.ReadScoreQuery((string?)context.Request.RouteValues["userId"], context.Request.Query);
        var score = await _store.Database.ReadAsync(c => _store.FindScore(c, tenant.Id, userId))
            ?? throw ApiProblem.NotFound($"User '{userId}' has no score events.");
        await Reply.Ok(score, WireJson.Wire.ScoreDto).WriteAsync(context);
    }

    private async Task Analytics(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        switch (Requests.ReadAnalyticsQuery(context.Request.Query, _clock.Now))
        {
            case CurrencyQuery currency:
                {
                    var audit = await _store.Database.ReadAsync(c => _store.CurrencyAudit(c, tenant.Id, currency.Metric, currency.Window));
                    await Reply.Ok(audit, WireJson.Wire.CurrencyAuditDto).WriteAsync(context);
                    break;
                }
            case LeaderboardQuery leaderboard:
                {
                    var board = await _store.Database.ReadAsync(c => _store.Leaderboard(c, tenant.Id, leaderboard.Limit));
                    await Reply.Ok(board, WireJson.Wire.LeaderboardDto).WriteAsync(context);
                    break;
                }
        }
    }

    /// <summary>Sandbox diagnostics (not part of the contract): the caller's requests per
    /// route, and what --faults injected (null when off).</summary>
    private Task Stats(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        var stats = new SandboxStatsDto(_stats.For(tenant.Id), _faults is null ? null : new SortedDictionary<string, long>(_faults.Counts.ToDictionary(p => p.Key, p => p.Value)));
        return Reply.Ok(stats, WireJson.Wire.SandboxStatsDto).WriteAsync(context);
    }

    /// <summary>Test isolation (not part of the contract): removes the caller's gifts, scores,
    /// events and idempotency records, and its request counts; never another tenant's.</summary>
    private async Task Reset(HttpContext context)
    {
        var tenant = Gate.TenantOf(context);
        var removed = await _store.Database.WriteAsync(c => _store.ResetTenant(c, tenant.Id));
        _stats.Clear(tenant.Id);
        await Reply.Ok(removed, WireJson.Wire.ResetDto).WriteAsync(context);
    }

    /// <summary>POST /_sandbox/clock?advance=SECONDS: moves a --clock manual clock forward, for
    /// tests of anything timed. Any key may do it: the clock is the whole sandbox's.</summary>
    private async Task AdvanceClock(HttpContext context)
    {
        Gate.TenantOf(context);
        if (!_clock.Manual)
            throw new ApiProblem(409, "clock-not-manual", "The clock is real", "The clock moves only when the sandbox runs with --clock manual.");
        _clock.Advance(Requests.ReadClockAdvance(context.Request.Query));
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

    // ---- request reading ------------------------------------------------------------------

    /// <summary>The body of a JSON POST, at most 64 KiB.</summary>
    private static async Task<byte[]> ReadJsonBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > Requests.MaxBodyBytes)
        {
            await DrainAsync(request.Body, context.RequestAborted);
            throw Requests.TooLarge();
        }

        // Content-Length given (the usual case): one array of that size, read in place; the
        // profile showed an 8 KiB chunk and a growing copy per request as the top allocation.
        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), context.RequestAborted)) > 0) filled += got;
            return filled == exact.Length ? exact : exact[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > Requests.MaxBodyBytes)
                {
                    await DrainAsync(request.Body, context.RequestAborted);
                    throw Requests.TooLarge();
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    /// <summary>Reads and discards the rest of an oversized body (up to a limit), so that a
    /// client still uploading gets to read the 413 instead of a reset connection.</summary>
    private static async Task DrainAsync(Stream body, System.Threading.CancellationToken aborted)
    {
        var chunk = new byte[64 * 1024];
        long drained = 0;
        int read;
        while (drained < MaxDrainBytes && (read = await body.ReadAsync(chunk, aborted)) > 0) drained += read;
    }

    private const long MaxDrainBytes = 64L * 1024 * 1024;
}
