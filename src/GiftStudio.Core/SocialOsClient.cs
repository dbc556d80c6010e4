using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Wire;

namespace GiftStudio;

/// <summary>The SocialOS v2 API, one typed method per operation. Thread-safe; one instance
/// per connection. Build it with GiftStudio.Http's <c>SocialOsHttp.CreateClient</c> (whose
/// factory rotates the handler chain, so long runs follow DNS changes), or hand it any
/// HttpClient whose pipeline you own.</summary>
public sealed partial class SocialOsClient : IDisposable
{
    private readonly Func<HttpClient> _http;
    private readonly IDisposable? _owner;
    private volatile bool _disposed;
    private Uri? _scoreUri;
    private Uri? _giftsUri;

    /// <summary>A client over one HttpClient, which it disposes with itself.</summary>
    public SocialOsClient(HttpClient http, SocialOsClientOptions options, IDisposable? owner = null)
        : this(Single(http ?? throw new ArgumentNullException(nameof(http))), options, new Owned(http, owner))
    {
    }

    /// <summary>A client that asks <paramref name="httpFor"/> for the HttpClient of each call
    /// (an IHttpClientFactory's CreateClient: cheap, and the way its handler rotation reaches
    /// the calls). <paramref name="owner"/> is disposed with the client.</summary>
    public SocialOsClient(Func<HttpClient> httpFor, SocialOsClientOptions options, IDisposable? owner = null)
    {
        _http = httpFor ?? throw new ArgumentNullException(nameof(httpFor));
        Options = options?.Clone() ?? throw new ArgumentNullException(nameof(options));
        _owner = owner;
    }

    private static Func<HttpClient> Single(HttpClient http) => () => http;

    public SocialOsClientOptions Options { get; }

    public Uri BaseUri => Options.BaseUri;

    /// <summary>The path of POST /gamification/gifts, relative to the base URI (what a derived key hashes).</summary>
    public static string GiftsRoute => Routes.CreateGift.Path;

    /// <summary>The path of POST /gamification/score, relative to the base URI.</summary>
    public static string ScoreRoute => Routes.UpdateScore.Path;

    /// <summary>The body of POST /gamification/gifts exactly as it is sent.</summary>
    public static byte[] GiftRequestBody(NewGiftRequest gift) => JsonSerializer.SerializeToUtf8Bytes(new GiftRequestDto
    {
        Name = gift.Name,
        Tier = gift.Tier,
        Reward = gift.Reward,
        Badge = gift.Badge,
        Expires = gift.Expires is DateTime expires ? FormatInstant(expires) : null,
    }, WireContext.Default.GiftRequestDto);

    /// <summary>The body of POST /gamification/score exactly as it is sent.</summary>
    public static byte[] ScoreRequestBody(ScoreUpdateRequest update) => JsonSerializer.SerializeToUtf8Bytes(
        new ScoreRequestDto { UserId = update.UserId, Metric = "tier", Action = update.Action, Value = update.Value, GiftId = update.GiftId },
        WireContext.Default.ScoreRequestDto);

    /// <summary>POST /gamification/gifts. Sends a fresh Idempotency-Key unless one is given.</summary>
    public async Task<SocialGift> CreateGiftAsync(NewGiftRequest gift, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        return await TellingMissingRoutes(Routes.CreateGift, PostAsync(GiftsUri, GiftRequestBody(gift), WireContext.Default.GiftDto,
            (dto, appliedBy) => Replies.WithAppliedBy(Replies.ToGift(dto), appliedBy), $"gift '{gift.Name}'", idempotencyKey, cancellationToken),
            namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POST /gamification/score. Sends a fresh Idempotency-Key unless one is given.</summary>
    public async Task<SocialTierScore> UpdateTierScoreAsync(ScoreUpdateRequest update, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        // With a giftId, a 404 may mean that gift is missing.
        return await TellingMissingRoutes(Routes.UpdateScore, PostAsync(ScoreUri, ScoreRequestBody(update), WireContext.Default.ScoreDto,
            (dto, appliedBy) => Replies.WithAppliedBy(Replies.ToScore(dto), appliedBy), "user " + update.UserId, idempotencyKey, cancellationToken),
            namesResource: update.GiftId != null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /analytics?type=currency.</summary>
    public async Task<CurrencyAuditReport> GetCurrencyAuditAsync(string metric, string window, CancellationToken cancellationToken = default)
    {
        var path = Routes.CurrencyAudit.For(null, ("metric", metric), ("window", window));
        return await TellingMissingRoutes(Routes.CurrencyAudit, GetAsync(path, WireContext.Default.CurrencyAuditDto, Replies.ToAudit, cancellationToken), namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /gamification/gifts: one page of the list (an extension route).</summary>
    public async Task<GiftPage> ListGiftsAsync(string? tier = null, bool? active = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var path = Routes.ListGifts.For(null, ("tier", tier), ("active", active is bool a ? (a ? "true" : "false") : null),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor));
        return await TellingMissingRoutes(Routes.ListGifts, GetAsync(path, WireContext.Default.GiftPageDto, Replies.ToGiftPage, cancellationToken),
            namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The gift list one page at a time (<see cref="GiftPager"/>): each page is
    /// asked for only when the caller asks for it.</summary>
    public GiftPager ListGiftPages(string? tier = null, bool? active = null, int? limit = null, string? cursor = null) =>
        new GiftPager((next, cancellationToken) => ListGiftsAsync(tier, active, limit, next, cancellationToken), cursor);

    /// <summary>GET /gamification/gifts/{gift_id}.</summary>
    public async Task<SocialGift> GetGiftAsync(string giftId, CancellationToken cancellationToken = default)
    {
        return await TellingMissingRoutes(Routes.GetGift, GetAsync(Routes.GetGift.For(giftId), WireContext.Default.GiftDto, Replies.ToGift, cancellationToken),
            namesResource: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /gamification/score/{userId}: the score without changing it.</summary>
    public async Task<SocialTierScore> GetTierScoreAsync(string userId, CancellationToken cancellationToken = default)
    {
        return await TellingMissingRoutes(Routes.GetScore, GetAsync(Routes.GetScore.For(userId, ("metric", "tier")), WireContext.Default.ScoreDto, Replies.ToScore, cancellationToken),
            namesResource: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /analytics?type=leaderboard: the top users by tier score.</summary>
    public async Task<Leaderboard> GetLeaderboardAsync(int top = 10, CancellationToken cancellationToken = default)
    {
        var path = Routes.Leaderboard.For(null, ("metric", "tier"), ("limit", top.ToString(CultureInfo.InvariantCulture)));
        return await TellingMissingRoutes(Routes.Leaderboard, GetAsync(path, WireContext.Default.LeaderboardDto, Replies.ToLeaderboard, cancellationToken),
            namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    // ---- routes a server may not offer -------------------------------------------------

    /// <summary>Tells a 404 for a route this server does not know from a 404 for a missing
    /// gift or user. A route that names no resource can only be missing itself. For one
    /// that does, the wire alone cannot tell, so one harmless read of the same family asks
    /// whether the server offers such routes at all: the first gift of the list for the
    /// extensions, a one-hour audit for the published routes.</summary>
    private async Task<T> TellingMissingRoutes<T>(Route route, Task<T> call, bool namesResource, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (SocialOsException notFound) when (notFound.StatusCode == 404)
        {
            if (namesResource && await ServerOffersRoutesAsync(route.Extension, cancellationToken).ConfigureAwait(false)) throw;
            throw ErrorMapping.RouteNotOffered(notFound, route.Name, route.Extension, BaseUri);
        }
    }

    private async Task<bool> ServerOffersRoutesAsync(bool extension, CancellationToken cancellationToken)
    {
        try
        {
            if (extension) await GetAsync(Routes.ListGifts.For(null, ("limit", "1")), WireContext.Default.GiftPageDto, _ => true, cancellationToken).ConfigureAwait(false);
            else await GetAsync(Routes.CurrencyAudit.For(null, ("metric", "gifts_redeemed"), ("window", "1h")), WireContext.Default.CurrencyAuditDto, _ => true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocialOsException e)
        {
            // Only another 404 says the routes are missing; any other failure leaves the
            // first answer as it was.
            return e.StatusCode != 404;
        }
    }

    /// <summary>Any route: <paramref name="path"/> relative to the base URI (or an absolute
    /// URI under it, see <see cref="RequestRules.Resolve"/>), through the same transport as
    /// every typed call (key, retries, circuit breaker, diagnostics, redaction, errors). A
    /// POST carries <paramref name="idempotencyKey"/> or a fresh key, kept across its
    /// retries; a PATCH has no key and is never retried once it may have reached the server.
    /// A non-2xx answer throws <see cref="SocialOsException"/>; a JSON body that does not
    /// parse throws too.</summary>
    public Task<SocialOsResponse> SendAsync(HttpMethod method, string path, byte[]? body = null, string? idempotencyKey = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        if (method == null) throw new ArgumentNullException(nameof(method));
        var target = RequestRules.Resolve(BaseUri, path);
        var verb = method.Method.ToUpperInvariant();
        var added = (headers ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToList();
        foreach (var header in added) RequestRules.CheckHeader(header.Key, header.Value);
        RequestRules.CheckIdempotencyKey(verb, idempotencyKey);
        string? key = null;
        if (RequestKinds.TakesKey(verb)) key = string.IsNullOrEmpty(idempotencyKey) ? NewIdempotencyKey() : idempotencyKey;
        var call = new CallRecord(null, key, RequestKinds.Of(verb, key != null), keyFromCaller: !string.IsNullOrEmpty(idempotencyKey));
        return SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, target);
            if (body != null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = JsonMediaType.ForRequests;
            }
            foreach (var header in added)
            {
                if (request.Content != null && header.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.Remove(header.Key);
                    request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                else if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
                {
                    throw new SocialOsInputException(ErrorIds.InvalidHeader, "Headers", header.Key, $"Header '{header.Key}' describes a body, and this request has none.");
                }
            }
            if (key != null) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return request;
        }, call, (response, content) => ToResponse(response, content, call), cancellationToken);
    }

    private static SocialOsResponse ToResponse(HttpResponseMessage response, byte[] content, CallRecord call)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers) headers[header.Key] = header.Value.ToArray();
        if (response.Content != null)
            foreach (var header in response.Content.Headers) headers[header.Key] = header.Value.ToArray();
        var result = new SocialOsResponse((int)response.StatusCode, response.ReasonPhrase, headers, content,
            response.Content?.Headers.ContentType?.MediaType, call.Kind.Changes() ? Replies.AppliedByOf(response, call, null) : null);
        // A body that says it is JSON must be JSON: the same failure as any typed call's unreadable body.
        if (result.IsJson) using (JsonDocument.Parse(content)) { }
        return result;
    }

    /// <summary>RFC 3339 UTC with Z, as the contract writes instants.</summary>
    public static string FormatInstant(DateTime utc) =>
        utc.ToUniversalTime().ToString(utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _disposed = true;
        _owner?.Dispose();
    }

    /// <summary>The single HttpClient given to the constructor, and the caller's owner.</summary>
    private sealed class Owned : IDisposable
    {
        private readonly HttpClient _http;
        private readonly IDisposable? _owner;

        public Owned(HttpClient http, IDisposable? owner)
        {
            _http = http;
            _owner = owner;
        }

        public void Dispose()
        {
            _http.Dispose();
            _owner?.Dispose();
        }
    }
}
