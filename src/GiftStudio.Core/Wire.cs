using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace GiftStudio.Wire;

// The contract's wire shapes, with its exact names (note badge in, badge_included out).

internal sealed class GiftRequestDto
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("tier")] public string Tier { get; set; } = "";
    [JsonPropertyName("reward")] public long Reward { get; set; }
    [JsonPropertyName("badge")] public bool Badge { get; set; }
    [JsonPropertyName("expires"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Expires { get; set; }
}

internal sealed class GiftDto
{
    [JsonPropertyName("gift_id")] public string GiftId { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("tier")] public string Tier { get; set; } = "";
    [JsonPropertyName("reward")] public long Reward { get; set; }
    [JsonPropertyName("badge_included")] public bool BadgeIncluded { get; set; }
    [JsonPropertyName("expires")] public string? Expires { get; set; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; set; }
}

internal sealed class ScoreRequestDto
{
    [JsonPropertyName("userId")] public string UserId { get; set; } = "";
    [JsonPropertyName("metric")] public string Metric { get; set; } = "tier";
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("value")] public long Value { get; set; }
    [JsonPropertyName("giftId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GiftId { get; set; }
}

internal sealed class ScoreDto
{
    [JsonPropertyName("userId")] public string UserId { get; set; } = "";
    [JsonPropertyName("metric")] public string Metric { get; set; } = "";
    [JsonPropertyName("previous")] public long Previous { get; set; }
    [JsonPropertyName("current")] public long Current { get; set; }
    [JsonPropertyName("tier_name")] public string TierName { get; set; } = "";
    [JsonPropertyName("rank")] public long Rank { get; set; }
    [JsonPropertyName("updated_at")] public string? UpdatedAt { get; set; }
}

internal sealed class CurrencySummaryDto
{
    [JsonPropertyName("total_gifts")] public long TotalGifts { get; set; }
    [JsonPropertyName("total_value")] public long TotalValue { get; set; }
    [JsonPropertyName("unique_recipients")] public long UniqueRecipients { get; set; }
    [JsonPropertyName("top_tier")] public string? TopTier { get; set; }
}

internal sealed class CurrencyDayDto
{
    [JsonPropertyName("date")] public string Date { get; set; } = "";
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("value")] public long Value { get; set; }
}

internal sealed class CurrencyAuditDto
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("metric")] public string Metric { get; set; } = "";
    [JsonPropertyName("window")] public string Window { get; set; } = "";
    [JsonPropertyName("summary")] public CurrencySummaryDto Summary { get; set; } = new CurrencySummaryDto();
    [JsonPropertyName("daily")] public List<CurrencyDayDto> Daily { get; set; } = new List<CurrencyDayDto>();
}

internal sealed class GiftPageDto
{
    [JsonPropertyName("data")] public List<GiftDto> Data { get; set; } = new List<GiftDto>();
    [JsonPropertyName("next_cursor")] public string? NextCursor { get; set; }
}

internal sealed class LeaderboardEntryDto
{
    [JsonPropertyName("rank")] public long Rank { get; set; }
    [JsonPropertyName("userId")] public string UserId { get; set; } = "";
    [JsonPropertyName("score")] public long Score { get; set; }
    [JsonPropertyName("tier_name")] public string TierName { get; set; } = "";
}

internal sealed class LeaderboardDto
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("metric")] public string Metric { get; set; } = "";
    [JsonPropertyName("entries")] public List<LeaderboardEntryDto> Entries { get; set; } = new List<LeaderboardEntryDto>();
    [JsonPropertyName("total")] public long Total { get; set; }
}

internal sealed class ProblemDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("status")] public int? Status { get; set; }
    [JsonPropertyName("detail")] public string? Detail { get; set; }
    [JsonPropertyName("errors")] public Dictionary<string, List<string>>? Errors { get; set; }
}

/// <summary>Source-generated (no reflection at run time). Reading is tolerant of unknown
/// properties (the contract allows additions); names are matched exactly.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GiftRequestDto))]
[JsonSerializable(typeof(GiftDto))]
[JsonSerializable(typeof(ScoreRequestDto))]
[JsonSerializable(typeof(ScoreDto))]
[JsonSerializable(typeof(CurrencyAuditDto))]
[JsonSerializable(typeof(GiftPageDto))]
[JsonSerializable(typeof(LeaderboardDto))]
[JsonSerializable(typeof(ProblemDto))]
internal sealed partial class WireContext : JsonSerializerContext
{
}
