using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using GiftStudio.Wire;

namespace GiftStudio;

/// <summary>A 2xx answer read into the models: the bodies (each required field checked, each
/// instant and date parsed), and who applied a write (<see cref="AppliedBy"/>), from the
/// replay header and the server's Date.</summary>
internal static class Replies
{
    /// <summary>The server answered from its idempotency record: applied before, not now. The
    /// contract marks it with <c>Idempotent-Replayed: true</c>; any other value is no replay.</summary>
    public static bool IsReplay(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values)
        && values.Any(v => string.Equals(v.Trim(), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Who applied what a 2xx reports (<see cref="CallRecord.Attribute"/>):
    /// <paramref name="recordedAt"/> is when the answer says it was applied (a score's
    /// updated_at, a gift's created_at), read against the server's own Date header.</summary>
    public static AppliedBy AppliedByOf(HttpResponseMessage response, CallRecord call, DateTimeOffset? recordedAt)
    {
        TimeSpan? age = response.Headers.Date is DateTimeOffset serverNow && recordedAt is DateTimeOffset at && at != default ? serverNow - at : null;
        return call.Attribute(IsReplay(response), age);
    }

    public static SocialGift WithAppliedBy(SocialGift gift, Func<DateTimeOffset?, AppliedBy> appliedBy)
    {
        gift.AppliedBy = appliedBy(gift.CreatedAt);
        return gift;
    }

    public static SocialTierScore WithAppliedBy(SocialTierScore score, Func<DateTimeOffset?, AppliedBy> appliedBy)
    {
        score.AppliedBy = appliedBy(score.UpdatedAt);
        return score;
    }

    public static CurrencyAuditReport ToAudit(CurrencyAuditDto dto)
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

    public static GiftPage ToGiftPage(GiftPageDto dto) =>
        new GiftPage(Required(dto.Data, "data").Select(g => ToGift(Required(g, "data[]"))).ToList(), dto.NextCursor);

    public static Leaderboard ToLeaderboard(LeaderboardDto dto) => new Leaderboard(
        Required(dto.Entries, "entries").Select(e => Required(e, "entries[]"))
            .Select(e => new SocialLeaderboardEntry { Rank = e.Rank, UserId = e.UserId, Score = e.Score, TierName = e.TierName }).ToList(),
        dto.Total);

    public static SocialGift ToGift(GiftDto dto) => new SocialGift
    {
        GiftId = dto.GiftId,
        Name = dto.Name,
        Tier = dto.Tier,
        Reward = dto.Reward,
        BadgeIncluded = dto.BadgeIncluded,
        Expires = dto.Expires is null ? (DateTimeOffset?)null : ParseInstant(dto.Expires, "expires"),
        CreatedAt = dto.CreatedAt is null ? default : ParseInstant(dto.CreatedAt, "created_at"),
    };

    public static SocialTierScore ToScore(ScoreDto dto) => new SocialTierScore
    {
        UserId = dto.UserId,
        Metric = dto.Metric,
        Previous = dto.Previous,
        Current = dto.Current,
        TierName = dto.TierName,
        Rank = dto.Rank,
        UpdatedAt = dto.UpdatedAt is null ? default : ParseInstant(dto.UpdatedAt, "updated_at"),
    };

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new JsonException($"The response field {field} is missing or null.");

    /// <summary>An instant of the wire as a DateTimeOffset in UTC (offset zero). Lenient on
    /// purpose: any form DateTimeOffset.TryParse reads with the invariant culture (RFC 3339,
    /// as the contract writes instants, and other ISO 8601 or RFC 1123 forms); without an
    /// offset, UTC is assumed.</summary>
    private static DateTimeOffset ParseInstant(string? text, string field) =>
        text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.ToUniversalTime()
            : throw new JsonException($"The response field {field} ('{text}') is not a date and time (the contract writes RFC 3339, e.g. 2026-02-20T14:00:00Z).");

    private static DateTime ParseDate(string? text, string field) =>
        text != null && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? DateTime.SpecifyKind(date, DateTimeKind.Utc)
            : throw new JsonException($"The response field {field} ('{text}') is not a yyyy-MM-dd date.");
}
