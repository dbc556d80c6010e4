using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using GiftStudio.Wire;

namespace GiftStudio;

/// <summary>The SocialOS v2 API, one typed method per operation. Thread-safe; one instance
/// per connection. Build it with GiftStudio.Http's <c>SocialOsHttp.CreateClient</c> (whose
/// factory rotates the handler chain, so long runs follow DNS changes), or hand it any
/// HttpClient whose pipeline you own.</summary>
public sealed class SocialOsClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

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

    public const string GiftsRoute = "gamification/gifts";
    public const string ScoreRoute = "gamification/score";

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
        return await OnRoute(Routes.CreateGift, PostAsync(GiftsUri, GiftRequestBody(gift), WireContext.Default.GiftDto,
            (dto, appliedBy) => WithAppliedBy(ToGift(dto), appliedBy), $"gift '{gift.Name}'", idempotencyKey, cancellationToken),
            namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POST /gamification/score. Sends a fresh Idempotency-Key unless one is given.</summary>
    public async Task<SocialTierScore> UpdateTierScoreAsync(ScoreUpdateRequest update, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        // With a giftId, a 404 may mean that gift is missing.
        return await OnRoute(Routes.UpdateScore, PostAsync(ScoreUri, ScoreRequestBody(update), WireContext.Default.ScoreDto,
            (dto, appliedBy) => WithAppliedBy(ToScore(dto), appliedBy), "user " + update.UserId, idempotencyKey, cancellationToken),
            namesResource: update.GiftId != null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /analytics?type=currency.</summary>
    public async Task<CurrencyAuditReport> GetCurrencyAuditAsync(string metric, string window, CancellationToken cancellationToken = default)
    {
        var path = "analytics?type=currency&metric=" + Uri.EscapeDataString(metric) + "&window=" + Uri.EscapeDataString(window);
        return await OnRoute(Routes.CurrencyAudit, GetAsync(path, WireContext.Default.CurrencyAuditDto, ToAudit, cancellationToken), namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /gamification/gifts: one page of the list (an extension route).</summary>
    public async Task<GiftPage> ListGiftsAsync(string? tier = null, bool? active = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (tier != null) query.Add("tier=" + Uri.EscapeDataString(tier));
        if (active is bool a) query.Add("active=" + (a ? "true" : "false"));
        if (limit is int l) query.Add("limit=" + l.ToString(CultureInfo.InvariantCulture));
        if (cursor != null) query.Add("cursor=" + Uri.EscapeDataString(cursor));
        var path = "gamification/gifts" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        return await OnRoute(Routes.ListGifts, GetAsync(path, WireContext.Default.GiftPageDto,
            dto => new GiftPage(Required(dto.Data, "data").Select(g => ToGift(Required(g, "data[]"))).ToList(), dto.NextCursor),
            cancellationToken), namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /gamification/gifts/{gift_id}.</summary>
    public async Task<SocialGift> GetGiftAsync(string giftId, CancellationToken cancellationToken = default)
    {
        return await OnRoute(Routes.GetGift, GetAsync("gamification/gifts/" + Uri.EscapeDataString(giftId), WireContext.Default.GiftDto, ToGift, cancellationToken),
            namesResource: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /gamification/score/{userId}: the score without changing it.</summary>
    public async Task<SocialTierScore> GetTierScoreAsync(string userId, CancellationToken cancellationToken = default)
    {
        return await OnRoute(Routes.GetScore, GetAsync("gamification/score/" + Uri.EscapeDataString(userId) + "?metric=tier", WireContext.Default.ScoreDto, ToScore, cancellationToken),
            namesResource: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /analytics?type=leaderboard: the top users by tier score.</summary>
    public async Task<Leaderboard> GetLeaderboardAsync(int top = 10, CancellationToken cancellationToken = default)
    {
        var path = "analytics?type=leaderboard&metric=tier&limit=" + top.ToString(CultureInfo.InvariantCulture);
        return await OnRoute(Routes.Leaderboard, GetAsync(path, WireContext.Default.LeaderboardDto, dto => new Leaderboard(
            Required(dto.Entries, "entries").Select(e => Required(e, "entries[]"))
                .Select(e => new SocialLeaderboardEntry { Rank = e.Rank, UserId = e.UserId, Score = e.Score, TierName = e.TierName }).ToList(),
            dto.Total), cancellationToken), namesResource: false, cancellationToken).ConfigureAwait(false);
    }

    // ---- routes a server may not offer -------------------------------------------------

    /// <summary>The operations' routes, and whether each is one of the contract's extensions
    /// (Part B) rather than the published guide's (Part A).</summary>
    internal static class Routes
    {
        public static readonly Route CreateGift = new Route("POST /gamification/gifts", extension: false);
        public static readonly Route UpdateScore = new Route("POST /gamification/score", extension: false);
        public static readonly Route CurrencyAudit = new Route("GET /analytics?type=currency", extension: false, "/analytics?type=currency&metric=gifts_redeemed&window=7d");
        public static readonly Route ListGifts = new Route("GET /gamification/gifts", extension: true);
        public static readonly Route GetGift = new Route("GET /gamification/gifts/{gift_id}", extension: true);
        public static readonly Route GetScore = new Route("GET /gamification/score/{userId}", extension: true, "/gamification/score/{userId}?metric=tier");
        public static readonly Route Leaderboard = new Route("GET /analytics?type=leaderboard", extension: true, "/analytics?type=leaderboard&metric=tier&limit=10");

        /// <summary>Every route the module knows, in the order completion offers them.</summary>
        public static readonly IReadOnlyList<Route> All = new[] { ListGifts, CreateGift, GetGift, UpdateScore, GetScore, CurrencyAudit, Leaderboard };
    }

    internal sealed class Route
    {
        public Route(string name, bool extension, string? example = null)
        {
            Name = name;
            Extension = extension;
            Method = name.Substring(0, name.IndexOf(' '));
            Example = example ?? name.Substring(name.IndexOf(' ') + 1);
        }

        public string Name { get; }
        public bool Extension { get; }
        public string Method { get; }

        /// <summary>The path as a user would type it, with the usual query.</summary>
        public string Example { get; }
    }

    /// <summary>Tells a 404 for a route this server does not know from a 404 for a missing
    /// gift or user. A route that names no resource can only be missing itself. For one
    /// that does, the wire alone cannot tell, so one harmless read of the same family asks
    /// whether the server offers such routes at all: the first gift of the list for the
    /// extensions, a one-hour audit for the published routes.</summary>
    private async Task<T> OnRoute<T>(Route route, Task<T> call, bool namesResource, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (SocialOsException notFound) when (notFound.StatusCode == 404)
        {
            if (namesResource && await FamilyAnswersAsync(route.Extension, cancellationToken).ConfigureAwait(false)) throw;
            throw ErrorMapping.RouteNotOffered(notFound, route.Name, route.Extension, BaseUri);
        }
    }

    private async Task<bool> FamilyAnswersAsync(bool extension, CancellationToken cancellationToken)
    {
        try
        {
            if (extension) await GetAsync("gamification/gifts?limit=1", WireContext.Default.GiftPageDto, _ => true, cancellationToken).ConfigureAwait(false);
            else await GetAsync("analytics?type=currency&metric=gifts_redeemed&window=1h", WireContext.Default.CurrencyAuditDto, _ => true, cancellationToken).ConfigureAwait(false);
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
                request.Content.Headers.ContentType = JsonMediaType;
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
                    throw new SocialOsInputException("InvalidHeader", "Headers", header.Key, $"Header '{header.Key}' describes a body, and this request has none.");
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
            response.Content?.Headers.ContentType?.MediaType, call.Kind.Changes() ? AppliedByOf(response, call, null) : null);
        // A body that says it is JSON must be JSON: the same failure as any typed call's unreadable body.
        if (result.IsJson) using (JsonDocument.Parse(content)) { }
        return result;
    }

    // ---- transport ------------------------------------------------------------------

    private Task<TResult> PostAsync<TResponse, TResult>(Uri uri, byte[] bytes,
        JsonTypeInfo<TResponse> responseType, Func<TResponse, Func<DateTimeOffset?, AppliedBy>, TResult> map, string label, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // One key per logical call, kept by every retry of it: the server applies it once.
        var key = string.IsNullOrEmpty(idempotencyKey) ? NewIdempotencyKey() : idempotencyKey!;
        return SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = JsonMediaType;
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return request;
        }, new CallRecord(label, key, RequestKind.IdempotentByKey, keyFromCaller: !string.IsNullOrEmpty(idempotencyKey)), responseType, map, cancellationToken);
    }

    // The two POST routes are fixed: resolved once per client, not once per row of a pipeline
    // (Uri is immutable, so the requests share it).
    private Uri GiftsUri => _giftsUri ??= RequestRules.Resolve(BaseUri, GiftsRoute);

    private Uri ScoreUri => _scoreUri ??= RequestRules.Resolve(BaseUri, ScoreRoute);

    /// <summary>A fresh key for a call that was given none.</summary>
    public static string NewIdempotencyKey() => Guid.NewGuid().ToString("N");

    private Task<TResult> GetAsync<TResponse, TResult>(string path, JsonTypeInfo<TResponse> responseType, Func<TResponse, TResult> map, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, RequestRules.Resolve(BaseUri, path)), new CallRecord(null, null, RequestKind.Safe), responseType, (dto, _) => map(dto), cancellationToken);

    /// <summary>Sends (the handler chain adds the key, retries and per-attempt timeouts),
    /// reads the body within the timeout, and maps it. Whatever goes wrong after the
    /// request left becomes a <see cref="SocialOsException"/> that says whether the call
    /// may have been applied; the caller's cancellation stays an OperationCanceledException.</summary>
    private Task<TResult> SendAsync<TResponse, TResult>(Func<HttpRequestMessage> createRequest, CallRecord call, JsonTypeInfo<TResponse> responseType,
        Func<TResponse, Func<DateTimeOffset?, AppliedBy>, TResult> map, CancellationToken cancellationToken) =>
        SendAsync(createRequest, call, (response, content) =>
        {
            var dto = JsonSerializer.Deserialize(content, responseType) ?? throw new JsonException("The body is JSON null.");
            return map(dto, recordedAt => AppliedByOf(response, call, recordedAt));
        }, cancellationToken);

    private async Task<TResult> SendAsync<TResult>(Func<HttpRequestMessage> createRequest, CallRecord call,
        Func<HttpResponseMessage, byte[], TResult> read, CancellationToken cancellationToken)
    {
        using var request = createRequest();
        // The same header as Accept.ParseAdd would write, without parsing it on every call.
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        call.AttachTo(request);
        var target = request.RequestUri!;
        var method = request.Method.Method;
        if (_disposed) throw new ObjectDisposedException(nameof(SocialOsClient));
        // Held until the body is read: a factory retires a rotated-out handler chain only once
        // no HttpClient on it is left.
        var http = _http();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitOpenException e)
        {
            throw ErrorMapping.CircuitOpen(method, target, e, call);
        }
        catch (TimeoutException e)
        {
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (HttpRequestException e)
        {
            throw ErrorMapping.Unreachable(method, target, e, call);
        }

        using (response)
        {
            var content = await ReadBodyAsync(response, method, target, call, cancellationToken).ConfigureAwait(false);
            GC.KeepAlive(http);
            if (!response.IsSuccessStatusCode) throw ErrorMapping.FromResponse(method, target, response, content, call);
            try
            {
                return read(response, content);
            }
            catch (JsonException e)
            {
                throw ErrorMapping.UnreadableBody(method, target, response, content, e, call);
            }
        }
    }

    /// <summary>The server answered from its idempotency record: applied before, not now.</summary>
    private static bool IsReplay(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values)
        && values.Any(v => string.Equals(v.Trim(), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Who applied what a 2xx reports (<see cref="CallRecord.Attribute"/>):
    /// <paramref name="recordedAt"/> is when the answer says it was applied (a score's
    /// updated_at, a gift's created_at), read against the server's own Date header.</summary>
    private static AppliedBy AppliedByOf(HttpResponseMessage response, CallRecord call, DateTimeOffset? recordedAt)
    {
        TimeSpan? age = response.Headers.Date is DateTimeOffset serverNow && recordedAt is DateTimeOffset at && at != default ? serverNow - at : null;
        return call.Attribute(IsReplay(response), age);
    }

    private static SocialGift WithAppliedBy(SocialGift gift, Func<DateTimeOffset?, AppliedBy> appliedBy)
    {
        gift.AppliedBy = appliedBy(gift.CreatedAt);
        return gift;
    }

    private static SocialTierScore WithAppliedBy(SocialTierScore score, Func<DateTimeOffset?, AppliedBy> appliedBy)
    {
        score.AppliedBy = appliedBy(score.UpdatedAt);
        return score;
    }

    /// <summary>The whole body, within the timeout: a server that stalls mid-body cannot
    /// hold the call forever, and the caller can cancel it.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string method, Uri target, CallRecord call, CancellationToken cancellationToken)
    {
        if (response.Content is null) return Array.Empty<byte>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, 81920, timeout.Token).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (response.IsSuccessStatusCode) call.NoteMaybeApplied($"HTTP {(int)response.StatusCode} whose body never arrived");
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (Exception e) when (e is HttpRequestException || e is IOException || e is ObjectDisposedException && timeout.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            if (response.IsSuccessStatusCode) call.NoteMaybeApplied($"HTTP {(int)response.StatusCode} whose body was cut off");
            if (timeout.IsCancellationRequested) throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
            throw ErrorMapping.Unreachable(method, target, e, call);
        }
    }

    // ---- mapping --------------------------------------------------------------------

    private static CurrencyAuditReport ToAudit(CurrencyAuditDto dto)
    {
        var summaryDto = Required(dto.Summary, "summary");
        var days = Required(dto.Daily, "daily").Select(d => Required(d, "daily[]")).Select(d => new SocialCurrencyAuditDay
        {
            Date = ParseDate(d.Date, "daily.date"),
            Count = d.Count,
            Value = d.Value,
            Metric = dto.Metric,
            Window = dto.Window,
        }).ToList();
        var summary = new SocialCurrencyAudit
        {
            Type = dto.Type,
            Metric = dto.Metric,
            Window = dto.Window,
            TotalGifts = summaryDto.TotalGifts,
            TotalValue = summaryDto.TotalValue,
            UniqueRecipients = summaryDto.UniqueRecipients,
            TopTier = summaryDto.TopTier,
            PeriodStart = days.Count > 0 ? days.Min(d => d.Date) : default,
            PeriodEnd = days.Count > 0 ? days.Max(d => d.Date) : default,
            Days = days.Count,
        };
        return new CurrencyAuditReport(summary, days);
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new JsonException($"The response field {field} is missing or null.");

    private static SocialGift ToGift(GiftDto dto) => new SocialGift
    {
        GiftId = dto.GiftId,
        Name = dto.Name,
        Tier = dto.Tier,
        Reward = dto.Reward,
        BadgeIncluded = dto.BadgeIncluded,
        Expires = dto.Expires is null ? (DateTimeOffset?)null : ParseInstant(dto.Expires, "expires"),
        CreatedAt = dto.CreatedAt is null ? default : ParseInstant(dto.CreatedAt, "created_at"),
    };

    private static SocialTierScore ToScore(ScoreDto dto) => new SocialTierScore
    {
        UserId = dto.UserId,
        Metric = dto.Metric,
        Previous = dto.Previous,
        Current = dto.Current,
        TierName = dto.TierName,
        Rank = dto.Rank,
        UpdatedAt = dto.UpdatedAt is null ? default : ParseInstant(dto.UpdatedAt, "updated_at"),
    };

    /// <summary>RFC 3339 UTC with Z, as the contract writes instants.</summary>
    public static string FormatInstant(DateTime utc) =>
        utc.ToUniversalTime().ToString(utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An instant of the wire as a DateTimeOffset in UTC (offset zero).</summary>
    private static DateTimeOffset ParseInstant(string? text, string field) =>
        text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.ToUniversalTime()
            : throw new JsonException($"The response field {field} ('{text}') is not an RFC 3339 timestamp.");

    private static DateTime ParseDate(string? text, string field) =>
        text != null && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? DateTime.SpecifyKind(date, DateTimeKind.Utc)
            : throw new JsonException($"The response field {field} ('{text}') is not a yyyy-MM-dd date.");

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
