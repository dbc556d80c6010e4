using System;
using System.Collections.Generic;

namespace GiftStudio;

// The objects GiftStudio hands to its users: PascalCase scalar properties only, so they
// format as tables and export to CSV as clean columns. Instants are DateTimeOffsets in
// UTC (offset zero), so Export-Csv writes the offset and the text reads back exactly.

/// <summary>A gift campaign.</summary>
public sealed class SocialGift
{
    public string GiftId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Tier { get; set; } = "";
    public long Reward { get; set; }
    public bool BadgeIncluded { get; set; }
    public DateTimeOffset? Expires { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who applied it, for a gift this call created: ThisCall (also when the server
    /// replayed this call's own attempt whose answer was lost), EarlierCall (a re-run under
    /// the same key: nothing was applied now; the values are those of the first
    /// application) or ThisOrEarlierCall. Null for a gift that was read.</summary>
    public AppliedBy? AppliedBy { get; set; }

    /// <summary>True only when an earlier call had applied it (<see cref="AppliedBy"/> EarlierCall).</summary>
    public bool Replayed => AppliedBy == GiftStudio.AppliedBy.EarlierCall;

    public override string ToString() => GiftId;
}

/// <summary>A user's tier score after (or, when read, without) a change.</summary>
public sealed class SocialTierScore
{
    public string UserId { get; set; } = "";
    public string Metric { get; set; } = "";
    public long Previous { get; set; }
    public long Current { get; set; }
    public string TierName { get; set; } = "";
    public long Rank { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who applied the change, for a change this call sent: ThisCall (also when the
    /// server replayed this call's own attempt whose answer was lost), EarlierCall (a re-run
    /// under the same key: nothing was applied now; Previous, Current and Rank are those of
    /// the first application) or ThisOrEarlierCall. Null for a score that was read.</summary>
    public AppliedBy? AppliedBy { get; set; }

    /// <summary>True only when an earlier call had applied it (<see cref="AppliedBy"/> EarlierCall).</summary>
    public bool Replayed => AppliedBy == GiftStudio.AppliedBy.EarlierCall;

    public override string ToString() => $"{UserId}: {Current} ({TierName})";
}

/// <summary>The summary of a currency audit and the period it covers.</summary>
public sealed class SocialCurrencyAudit
{
    public string Type { get; set; } = "";
    public string Metric { get; set; } = "";
    public string Window { get; set; } = "";
    public long TotalGifts { get; set; }
    public long TotalValue { get; set; }
    /// <summary>Null for a calendar period: daily rows cannot say who received (see <see cref="Partial"/>).</summary>
    public long? UniqueRecipients { get; set; }
    /// <summary>Null when nothing was redeemed, and for a calendar period (see <see cref="Partial"/>).</summary>
    public string? TopTier { get; set; }
    /// <summary>The first UTC day of the window or period (midnight UTC).</summary>
    public DateTime PeriodStart { get; set; }
    /// <summary>The last UTC day of the window (midnight UTC; the window ends at the server's now)
    /// or of the calendar period (its own last day, even when that is still to come).</summary>
    public DateTime PeriodEnd { get; set; }
    /// <summary>The number of daily rows the totals add up.</summary>
    public int Days { get; set; }
    /// <summary>The calendar period asked for (2026-11, 2026Q3, 2026-11-03..2026-11-09); null for a window.</summary>
    public string? Period { get; set; }
    /// <summary>True when every day of the period is over; a window always ends at the
    /// server's now, so its last day is partial and it is never complete.</summary>
    public bool Complete { get; set; }
    /// <summary>The summary fields this object could not fill (null when none): a calendar
    /// period is added up from daily rows, which hold no recipients or tiers.</summary>
    public string? Partial { get; set; }
}

/// <summary>One UTC day of a currency audit.</summary>
public sealed class SocialCurrencyAuditDay
{
    /// <summary>The day, as midnight UTC.</summary>
    public DateTime Date { get; set; }
    public long Count { get; set; }
    public long Value { get; set; }
    public string Metric { get; set; } = "";
    public string Window { get; set; } = "";
    /// <summary>False for a day the window covers only in part (today; the oldest day of an Nh window).</summary>
    public bool Complete { get; set; } = true;
    /// <summary>The count expected for this day (the baseline median); null when the day is not judged.</summary>
    public double? ExpectedCount { get; set; }
    /// <summary>The value expected for this day; null when the day is not judged.</summary>
    public double? ExpectedValue { get; set; }
    /// <summary>How far Count is from ExpectedCount, in robust standard deviations (modified z-score).</summary>
    public double? CountDeviation { get; set; }
    /// <summary>How far Value is from ExpectedValue, in robust standard deviations (modified z-score).</summary>
    public double? ValueDeviation { get; set; }
    /// <summary>High, Low, or null when the day is not an anomaly (so Where-Object Anomaly works).</summary>
    public string? Anomaly { get; set; }
    /// <summary>Which measure is anomalous: Count, Value or "Count, Value"; null when none.</summary>
    public string? AnomalyIn { get; set; }
    /// <summary>Count as a fraction (0 to 1) of the largest Count of the window: the length of the table view's bar.</summary>
    public double ShareOfPeak { get; set; }
}

/// <summary>What the audit call returns: the summary and its days, newest first.</summary>
public sealed class CurrencyAuditReport
{
    public CurrencyAuditReport(SocialCurrencyAudit summary, IReadOnlyList<SocialCurrencyAuditDay> days)
    {
        Summary = summary;
        Days = days;
    }

    public SocialCurrencyAudit Summary { get; }
    public IReadOnlyList<SocialCurrencyAuditDay> Days { get; }
}

/// <summary>One line of the leaderboard; equal scores share a rank.</summary>
public sealed class SocialLeaderboardEntry
{
    public long Rank { get; set; }
    public string UserId { get; set; } = "";
    public long Score { get; set; }
    public string TierName { get; set; } = "";
}

/// <summary>The top of the leaderboard and how many users have a score at all.</summary>
public sealed class Leaderboard
{
    public Leaderboard(IReadOnlyList<SocialLeaderboardEntry> entries, long total)
    {
        Entries = entries;
        Total = total;
    }

    public IReadOnlyList<SocialLeaderboardEntry> Entries { get; }
    public long Total { get; }
}

/// <summary>One page of the gift list and the cursor of the next (null at the end).</summary>
public sealed class GiftPage
{
    public GiftPage(IReadOnlyList<SocialGift> gifts, string? nextCursor)
    {
        Gifts = gifts;
        NextCursor = nextCursor;
    }

    public IReadOnlyList<SocialGift> Gifts { get; }
    public string? NextCursor { get; }
}

/// <summary>A new gift campaign as the API takes it.</summary>
public sealed class NewGiftRequest
{
    public string Name { get; set; } = "";
    public string Tier { get; set; } = "";
    public long Reward { get; set; }
    public bool Badge { get; set; }
    /// <summary>UTC; null for a campaign that never expires.</summary>
    public DateTime? Expires { get; set; }
}

/// <summary>A score change as the API takes it.</summary>
public sealed class ScoreUpdateRequest
{
    public string UserId { get; set; } = "";
    public string Action { get; set; } = ScoreActions.GiftRedeemed;
    public long Value { get; set; }
    public string? GiftId { get; set; }
}

public static class ScoreActions
{
    public const string GiftRedeemed = "gift_redeemed";
    public const string Adjustment = "adjustment";
}
