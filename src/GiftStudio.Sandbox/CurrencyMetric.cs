using System.Collections.Generic;
using System.Linq;

namespace GiftStudio.Sandbox;

/// <summary>The metrics of a currency audit, each said once: its name on the wire, its key in
/// the daily roll-up (daily_totals.metric), the ledger events it counts, and the users' column
/// that holds the time of their latest such event.</summary>
public sealed record CurrencyMetric(string Name, int Key, string EventFilter, string LatestColumn)
{
    public static readonly CurrencyMetric GiftsRedeemed = new("gifts_redeemed", 1, "action = 1", "last_redeemed_ms");
    public static readonly CurrencyMetric PointsAwarded = new("points_awarded", 2, "value > 0", "last_awarded_ms");

    public static IReadOnlyList<CurrencyMetric> All { get; } = new[] { GiftsRedeemed, PointsAwarded };

    /// <summary>"gifts_redeemed or points_awarded", for error messages.</summary>
    public static string NamesText { get; } = string.Join(" or ", All.Select(m => m.Name));

    public static CurrencyMetric? Find(string? name) => All.FirstOrDefault(m => m.Name == name);
}
