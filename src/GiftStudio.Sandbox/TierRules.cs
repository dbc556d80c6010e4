using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace GiftStudio.Sandbox;

/// <summary>The four tiers, their order and the score thresholds (from configuration,
/// section "Tiers"; defaults bronze 0, silver 250, gold 500, platinum 1000).</summary>
public sealed class TierRules
{
    public static readonly IReadOnlyList<string> Names = new[] { "bronze", "silver", "gold", "platinum" };
    public const string NamesText = "bronze, silver, gold, platinum";

    private readonly long[] _thresholds;

    public TierRules(long silver = 250, long gold = 500, long platinum = 1000)
    {
        if (!(0 < silver && silver < gold && gold < platinum))
            throw new ArgumentException($"Tier thresholds must rise: 0 < silver ({silver}) < gold ({gold}) < platinum ({platinum}).");
        _thresholds = new[] { 0, silver, gold, platinum };
    }

    public static TierRules FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("Tiers");
        long Read(string name, long fallback) => section.GetValue(name, fallback);
        if (section.GetValue("bronze", 0L) != 0)
            throw new ArgumentException("Tiers:bronze must be 0: every score has a tier.");
        return new TierRules(Read("silver", 250), Read("gold", 500), Read("platinum", 1000));
    }

    /// <summary>0 bronze … 3 platinum.</summary>
    public int TierIndexFor(long score)
    {
        for (var i = _thresholds.Length - 1; i > 0; i--)
        {
            if (score >= _thresholds[i]) return i;
        }
        return 0;
    }

    public string TierFor(long score) => Names[TierIndexFor(score)];

    public static int IndexOf(string tier) => Names.ToList().IndexOf(tier);

    /// <summary>Tier names are matched case-insensitively (invariant) and stored lower-case.</summary>
    public static int? Parse(string text)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], text, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return null;
    }
}
