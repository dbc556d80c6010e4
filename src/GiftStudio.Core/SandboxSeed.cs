using System.Globalization;
using System.Linq;

namespace GiftStudio;

/// <summary>Start-SocialSandbox -Seed: users, days[, events]. The sandbox checks its --seed
/// with its own code (SeedSpec.Parse; it never uses the client's), so the two sides must
/// agree: the seed cases of tests/Shared/InputRules.json run against both.</summary>
public static class SandboxSeed
{
    public const int MaxUsers = 1_000_000;
    public const int MaxDays = 365;
    public const int MaxEvents = 10_000_000;

    /// <summary>The sandbox's --seed argument for <paramref name="seed"/>; InvalidSeed, naming
    /// the part and its range, when the sandbox would refuse it.</summary>
    public static string Argument(int[]? seed)
    {
        var shown = seed == null ? "" : string.Join(",", seed.Select(n => n.ToString(CultureInfo.InvariantCulture)));
        if (seed == null || seed.Length < 2 || seed.Length > 3)
            throw Invalid(shown, $"Seed must be users,days or users,days,events such as 200,30; '{shown}' is not.");
        Check(seed[0], "users", 1, MaxUsers, shown);
        Check(seed[1], "days", 1, MaxDays, shown);
        if (seed.Length == 3) Check(seed[2], "events", 0, MaxEvents, shown);
        return shown;
    }

    private static void Check(int value, string part, int min, int max, string shown)
    {
        if (value < min || value > max)
            throw Invalid(shown, $"Seed must have {part} from {min} to {max}; '{shown}' has {value}.");
    }

    private static SocialOsInputException Invalid(string shown, string message) =>
        new SocialOsInputException(ErrorIds.InvalidSeed, "Seed", shown, message);
}
