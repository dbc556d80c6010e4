using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace GiftStudio.Sandbox;

// Response shapes with the contract's exact wire names. Requests are read by StrictJson,
// not by the serializer, so that types and names are matched exactly.

public sealed record GiftDto(
    [property: JsonPropertyName("gift_id")] string GiftId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("reward")] long Reward,
    [property: JsonPropertyName("badge_included")] bool BadgeIncluded,
    [property: JsonPropertyName("expires")] string? Expires,
    [property: JsonPropertyName("created_at")] string CreatedAt);

public sealed record GiftPageDto(
    [property: JsonPropertyName("data")] IReadOnlyList<GiftDto> Data,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

public sealed record ScoreDto(
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("previous")] long Previous,
    [property: JsonPropertyName("current")] long Current,
    [property: JsonPropertyName("tier_name")] string TierName,
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

public sealed record CurrencySummaryDto(
    [property: JsonPropertyName("total_gifts")] long TotalGifts,
    [property: JsonPropertyName("total_value")] long TotalValue,
    [property: JsonPropertyName("unique_recipients")] long UniqueRecipients,
    [property: JsonPropertyName("top_tier")] string? TopTier);

public sealed record CurrencyDayDto(
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("value")] long Value);

public sealed record CurrencyAuditDto(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("window")] string Window,
    [property: JsonPropertyName("summary")] CurrencySummaryDto Summary,
    [property: JsonPropertyName("daily")] IReadOnlyList<CurrencyDayDto> Daily);

public sealed record LeaderboardEntryDto(
    [property: JsonPropertyName("rank")] long Rank,
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("score")] long Score,
    [property: JsonPropertyName("tier_name")] string TierName);

public sealed record LeaderboardDto(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("entries")] IReadOnlyList<LeaderboardEntryDto> Entries,
    [property: JsonPropertyName("total")] long Total);

public sealed record ProblemDto(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IDictionary<string, string[]>? Errors);

public sealed record SandboxStatsDto(
    [property: JsonPropertyName("requests")] SortedDictionary<string, long> Requests,
    [property: JsonPropertyName("faults")] SortedDictionary<string, long>? Faults);

public sealed record HealthDto(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version);

/// <summary>What POST /_sandbox/reset removed for the caller.</summary>
public sealed record ResetDto(
    [property: JsonPropertyName("gifts")] long Gifts,
    [property: JsonPropertyName("users")] long Users,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("idempotency_records")] long IdempotencyRecords);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(GiftDto))]
[JsonSerializable(typeof(GiftPageDto))]
[JsonSerializable(typeof(ScoreDto))]
[JsonSerializable(typeof(CurrencyAuditDto))]
[JsonSerializable(typeof(LeaderboardDto))]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(HealthDto))]
[JsonSerializable(typeof(SandboxStatsDto))]
[JsonSerializable(typeof(ResetDto))]
public sealed partial class WireJson : JsonSerializerContext
{
    /// <summary>Writes quotes and angle brackets as they are: the bodies are JSON for API
    /// clients, never embedded in HTML.</summary>
    public static WireJson Wire { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
