using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace GiftStudio.Sandbox;

/// <summary>The four tiers, their order and the score thresholds. The thresholds have one
/// source, configuration (section "Tiers": appsettings.json beside the sandbox, which ships
/// bronze 0, silver 250, gold 500, platinum 1000, or the environment, e.g. Tiers__gold=600):
/// no copy of them is written in the code.</summary>
public sealed class TierRules
{
    public static readonly IReadOnlyList<string> Names = new[] { "bronze", "silver", "gold", "platinum" };
    public const string NamesText = "bronze, silver, gold, platinum";

    private readonly long[] _thresholds;

    public TierRules(long silver, long gold, long platinum)
    {
        if (!(0 < silver && silver < gold && gold < platinum))
            throw new ArgumentException($"Tier thresholds must rise: 0 < silver ({silver}) < gold ({gold}) < platinum ({platinum}).");
        _thresholds = new[] { 0, silver, gold, platinum };
    }

    /// <exception cref="ArgumentException">A threshold is missing, not a whole number, or out of order.</exception>
    public static TierRules FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("Tiers");
        long Read(string name)
        {
            long? value;
            try
            {
                value = section.GetValue<long?>(name);
            }
            catch (InvalidOperationException)
            {
                throw new ArgumentException($"Tiers:{name} '{section[name]}' is not a whole number.");
            }
            return value ?? throw new ArgumentException(
                $"Tiers:{name} is not configured: appsettings.json beside the sandbox (section Tiers) or the environment (Tiers__{name}) must give every tier's threshold.");
        }
        if (Read("bronze") != 0)
            throw new ArgumentException("Tiers:bronze must be 0: every score has a tier.");
        return new TierRules(Read("silver"), Read("gold"), Read("platinum"));
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
