using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Wire;

namespace GiftStudio
{
    /// <summary>The SocialOS v2 API, one typed method per operation. Thread-safe; one instance
    /// (and so one connection pool) per connection. Build it with GiftStudio.Http's
    /// <c>SocialOsHttp.CreateClient</c>, or hand it any HttpClient whose pipeline you own.</summary>
    public sealed class SocialOsClient : IDisposable
    {
        private static readonly MediaTypeHeaderValue JsonMediaType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

        private readonly HttpClient _http;
        private readonly IDisposable? _owner;

        public SocialOsClient(HttpClient http, SocialOsClientOptions options, IDisposable? owner = null)
        {
            _http = http ?? throw new ArgumentNullException(nameof(http));
            Options = options?.Clone() ?? throw new ArgumentNullException(nameof(options));
            _owner = owner;
        }

        public SocialOsClientOptions Options { get; }

        public Uri BaseUri => Options.BaseUri;

        /// <summary>POST /gamification/gifts. Sends a fresh Idempotency-Key unless one is given.</summary>
        public async Task<SocialGift> CreateGiftAsync(NewGiftRequest gift, string? idempotencyKey = null, CancellationToken cancellationToken = default)
        {
            var body = new GiftRequestDto
            {
                Name = gift.Name,
                Tier = gift.Tier,
                Reward = gift.Reward,
                Badge = gift.Badge,
                Expires = gift.Expires is DateTime expires ? FormatInstant(expires) : null,
            };
            var dto = await PostAsync("gamification/gifts", body, WireContext.Default.GiftRequestDto, WireContext.Default.GiftDto, idempotencyKey, cancellationToken).ConfigureAwait(false);
            return ToGift(dto);
        }

        /// <summary>POST /gamification/score. Sends a fresh Idempotency-Key unless one is given.</summary>
        public async Task<SocialTierScore> UpdateTierScoreAsync(ScoreUpdateRequest update, string? idempotencyKey = null, CancellationToken cancellationToken = default)
        {
            var body = new ScoreRequestDto { UserId = update.UserId, Metric = "tier", Action = update.Action, Value = update.Value, GiftId = update.GiftId };
            var dto = await PostAsync("gamification/score", body, WireContext.Default.ScoreRequestDto, WireContext.Default.ScoreDto, idempotencyKey, cancellationToken).ConfigureAwait(false);
            return ToScore(dto);
        }

        /// <summary>GET /analytics?type=currency.</summary>
        public async Task<CurrencyAuditReport> GetCurrencyAuditAsync(string metric, string window, CancellationToken cancellationToken = default)
        {
            var path = "analytics?type=currency&metric=" + Uri.EscapeDataString(metric) + "&window=" + Uri.EscapeDataString(window);
            var dto = await GetAsync(path, WireContext.Default.CurrencyAuditDto, cancellationToken).ConfigureAwait(false);
            var days = dto.Daily.Select(d => new SocialCurrencyAuditDay
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
                TotalGifts = dto.Summary.TotalGifts,
                TotalValue = dto.Summary.TotalValue,
                UniqueRecipients = dto.Summary.UniqueRecipients,
                TopTier = dto.Summary.TopTier,
                PeriodStart = days.Count > 0 ? days.Min(d => d.Date) : default,
                PeriodEnd = days.Count > 0 ? days.Max(d => d.Date) : default,
                Days = days.Count,
            };
            return new CurrencyAuditReport(summary, days);
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
            var dto = await GetAsync(path, WireContext.Default.GiftPageDto, cancellationToken).ConfigureAwait(false);
            return new GiftPage(dto.Data.Select(ToGift).ToList(), dto.NextCursor);
        }

        /// <summary>GET /gamification/gifts/{gift_id}.</summary>
        public async Task<SocialGift> GetGiftAsync(string giftId, CancellationToken cancellationToken = default)
        {
            var dto = await GetAsync("gamification/gifts/" + Uri.EscapeDataString(giftId), WireContext.Default.GiftDto, cancellationToken).ConfigureAwait(false);
            return ToGift(dto);
        }

        /// <summary>GET /gamification/score/{userId}: the score without changing it.</summary>
        public async Task<SocialTierScore> GetTierScoreAsync(string userId, CancellationToken cancellationToken = default)
        {
            var dto = await GetAsync("gamification/score/" + Uri.EscapeDataString(userId) + "?metric=tier", WireContext.Default.ScoreDto, cancellationToken).ConfigureAwait(false);
            return ToScore(dto);
        }

        /// <summary>GET /analytics?type=leaderboard: the top users by tier score.</summary>
        public async Task<Leaderboard> GetLeaderboardAsync(int top = 10, CancellationToken cancellationToken = default)
        {
            var path = "analytics?type=leaderboard&metric=tier&limit=" + top.ToString(CultureInfo.InvariantCulture);
            var dto = await GetAsync(path, WireContext.Default.LeaderboardDto, cancellationToken).ConfigureAwait(false);
            var entries = dto.Entries.Select(e => new SocialLeaderboardEntry { Rank = e.Rank, UserId = e.UserId, Score = e.Score, TierName = e.TierName }).ToList();
            return new Leaderboard(entries, dto.Total);
        }

        // ---- transport ------------------------------------------------------------------

        private Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType,
            JsonTypeInfo<TResponse> responseType, string? idempotencyKey, CancellationToken cancellationToken)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
            // One key per logical call, kept by every retry of it: the server applies it once.
            var key = string.IsNullOrEmpty(idempotencyKey) ? Guid.NewGuid().ToString("N") : idempotencyKey!;
            return SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = JsonMediaType;
                request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                return request;
            }, responseType, cancellationToken);
        }

        private Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
            SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), responseType, cancellationToken);

        private async Task<TResponse> SendAsync<TResponse>(Func<HttpRequestMessage> createRequest, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        {
            using var request = createRequest();
            request.Headers.Accept.ParseAdd("application/json");
            var target = new Uri(BaseUri, request.RequestUri!);
            HttpResponseMessage response;
            try
            {
                // Per-attempt timeouts and retries live in the handler chain (RetryHandler).
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw ErrorMapping.Timeout(request.Method.Method, target, Options.Timeout, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw ErrorMapping.Timeout(request.Method.Method, target, Options.Timeout, e);
            }
            catch (HttpRequestException e)
            {
                throw ErrorMapping.Unreachable(request.Method.Method, target, e);
            }

            using (response)
            {
                byte[] content;
                try
                {
                    content = response.Content is null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException || e is IOException)
                {
                    throw ErrorMapping.Unreachable(request.Method.Method, target, e);
                }
                if (!response.IsSuccessStatusCode) throw ErrorMapping.FromResponse(request.Method.Method, target, response, content);
                try
                {
                    return JsonSerializer.Deserialize(content, responseType)
                        ?? throw new JsonException("The body is JSON null.");
                }
                catch (JsonException e)
                {
                    throw ErrorMapping.UnreadableBody(request.Method.Method, target, response, content, e);
                }
            }
        }

        // ---- mapping --------------------------------------------------------------------

        private static SocialGift ToGift(GiftDto dto) => new SocialGift
        {
            GiftId = dto.GiftId,
            Name = dto.Name,
            Tier = dto.Tier,
            Reward = dto.Reward,
            BadgeIncluded = dto.BadgeIncluded,
            Expires = dto.Expires is null ? (DateTime?)null : ParseInstant(dto.Expires, "expires"),
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

        private static DateTime ParseInstant(string text, string field) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                ? instant.UtcDateTime
                : throw new JsonException($"The response field {field} ('{text}') is not an RFC 3339 timestamp.");

        private static DateTime ParseDate(string text, string field) =>
            DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
                ? DateTime.SpecifyKind(date, DateTimeKind.Utc)
                : throw new JsonException($"The response field {field} ('{text}') is not a yyyy-MM-dd date.");

        public void Dispose()
        {
            _http.Dispose();
            _owner?.Dispose();
        }
    }
}
