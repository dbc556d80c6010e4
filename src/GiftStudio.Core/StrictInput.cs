using System;
using System.Globalization;
using System.Linq;

namespace GiftStudio;

/// <summary>The client-side rules: only what the published contract fixes (types, required
/// values, whole numbers, tier names, the window form). Culture-proof: PowerShell's own
/// conversion would turn '501.5' into 502, '0x1F4' into 500 and read '03/04/2026' by the
/// current culture; none of that happens here. Ranges and formats that depend on the
/// server's configuration are left to the server.</summary>
public static class StrictInput
{
    public static readonly string[] Tiers = { "bronze", "silver", "gold", "platinum" };
    public static readonly string[] Metrics = { "gifts_redeemed", "points_awarded" };
    public static readonly string[] Actions = { ScoreActions.GiftRedeemed, ScoreActions.Adjustment };

    private static readonly string[] LocalDateFormats =
    {
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
    };

    private static readonly string[] OffsetDateFormats =
    {
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    };

    /// <summary>A whole number: an integer type, an integral floating value, or a string of
    /// decimal digits with an optional sign. Not '501.5', '1,5', '0x1F4' or '5e2'.</summary>
    public static long WholeNumber(object? value, string parameter)
    {
        var message = $"{parameter} must be a whole number such as 500";
        switch (value)
        {
            case null:
                throw Missing(parameter);
            case long l: return l;
            case int i: return i;
            case short s: return s;
            case byte b: return b;
            case sbyte sb: return sb;
            case ushort us: return us;
            case uint ui: return ui;
            case ulong ul when ul <= long.MaxValue: return (long)ul;
            case decimal m when m == decimal.Truncate(m) && m >= long.MinValue && m <= long.MaxValue: return (long)m;
            case double d when !double.IsNaN(d) && !double.IsInfinity(d) && d == Math.Floor(d) && Math.Abs(d) < 9e15: return (long)d;
            case float f when !float.IsNaN(f) && !float.IsInfinity(f) && f == Math.Floor(f) && Math.Abs(f) < 1e7: return (long)f;
            case string text:
                {
                    var trimmed = text.Trim();
                    if (trimmed.Length == 0) throw Missing(parameter);
                    if (IsSignedDigits(trimmed) && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                        return parsed;
                    throw Invalid(parameter, value, $"{message}; '{text}' is not (no decimals, separators, hex or exponents).");
                }
            default:
                throw Invalid(parameter, value, $"{message}; got {Describe(value)}.");
        }
    }

    /// <summary>true/false/yes/no/1/0 (any case), a Boolean, or 0/1; empty means not given.</summary>
    public static bool? Boolean(object? value, string parameter)
    {
        switch (value)
        {
            case null: return null;
            case bool b: return b;
            case int i when i == 0 || i == 1: return i == 1;
            case long l when l == 0 || l == 1: return l == 1;
            case string text:
                switch (text.Trim().ToLowerInvariant())
                {
                    case "": return null;
                    case "true": case "yes": case "1": return true;
                    case "false": case "no": case "0": return false;
                }
                break;
        }
        throw Invalid(parameter, value, $"{parameter} must be true or false (also yes/no, 1/0); got {Describe(value)}.");
    }

    /// <summary>A point in time as UTC. A DateTime or ISO 8601 text without an offset is
    /// local time; with an offset (or Z) it is exact. Besides ISO 8601, exactly one more form
    /// is read: the current culture's general date/time pattern followed by an offset, which
    /// is what Export-Csv writes for a DateTimeOffset (the module's output dates), so
    /// exported objects import again in the same culture. Without its offset that form stays
    /// refused: '03/04/2026' is ambiguous across cultures. Empty text means not given.</summary>
    public static DateTime? UtcDateTime(object? value, string parameter)
    {
        switch (value)
        {
            case null: return null;
            case DateTime dateTime:
                return dateTime.Kind == DateTimeKind.Utc ? dateTime : DateTime.SpecifyKind(dateTime, DateTimeKind.Local).ToUniversalTime();
            case DateTimeOffset offset: return offset.UtcDateTime;
            case string text:
                {
                    var trimmed = text.Trim();
                    if (trimmed.Length == 0) return null;
                    if (DateTimeOffset.TryParseExact(trimmed, OffsetDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact)
                        && HasExplicitOffset(trimmed))
                        return exact.UtcDateTime;
                    if (DateTime.TryParseExact(trimmed, LocalDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var local))
                        return local.ToUniversalTime();
                    var culture = CultureInfo.CurrentCulture;
                    if (DateTimeOffset.TryParseExact(PlainSpaces(trimmed), PlainSpaces(CultureDateTimeWithOffset(culture)), culture, DateTimeStyles.None, out var exported))
                        return exported.UtcDateTime;
                    throw Invalid(parameter, value,
                        $"{parameter} must be an ISO 8601 date such as 2026-03-20 or 2026-03-20T00:00:00Z, or this culture's date and time with an offset as Export-Csv writes it ({new DateTimeOffset(2026, 3, 20, 18, 0, 0, TimeSpan.Zero).ToString(culture)}); '{text}' is neither.");
                }
            default:
                throw Invalid(parameter, value, $"{parameter} must be a date; got {Describe(value)}.");
        }
    }

    /// <summary>The culture's general ("G") date/time pattern with the offset, as
    /// DateTimeOffset.ToString() writes it.</summary>
    public static string CultureDateTimeWithOffset(CultureInfo culture) =>
        culture.DateTimeFormat.ShortDatePattern + " " + culture.DateTimeFormat.LongTimePattern + " zzz";

    /// <summary>Some cultures' patterns hold a no-break space (en-US: U+202F before PM);
    /// a typed space means the same.</summary>
    private static string PlainSpaces(string text) => text.Replace('\u202F', ' ').Replace('\u00A0', ' ');

    public static string RequiredText(object? value, string parameter)
    {
        var text = value as string ?? (value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture));
        if (string.IsNullOrWhiteSpace(text)) throw Missing(parameter);
        return text!;
    }

    public static string? OptionalText(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    /// <summary>One of a fixed set, matched with the invariant culture (a Turkish 'I' is still I).</summary>
    public static string OneOf(string? value, string parameter, string[] allowed)
    {
        var text = RequiredText(value, parameter).Trim().ToLowerInvariant();
        if (allowed.Contains(text)) return text;
        throw Invalid(parameter, value, $"{parameter} must be one of {string.Join(", ", allowed)}; '{value}' is not.");
    }

    public static string Tier(string? value) => OneOf(value, "Tier", Tiers);

    /// <summary>The window form: a whole number followed by h (hours) or d (days), e.g. 24h, 7d.</summary>
    public static string Window(string? value)
    {
        var text = RequiredText(value, "Window").Trim().ToLowerInvariant();
        if (text.Length >= 2 && (text[text.Length - 1] == 'h' || text[text.Length - 1] == 'd') && text.Take(text.Length - 1).All(c => c >= '0' && c <= '9'))
            return text;
        throw Invalid("Window", value, $"Window must be a number of hours or days such as 24h or 7d; '{value}' is not.");
    }

    private static bool IsSignedDigits(string text)
    {
        var start = text[0] == '-' || text[0] == '+' ? 1 : 0;
        if (start == text.Length) return false;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] < '0' || text[i] > '9') return false;
        }
        return true;
    }

    private static bool HasExplicitOffset(string text) =>
        text.EndsWith("Z", StringComparison.OrdinalIgnoreCase)
        || (text.Length > 6 && (text[text.Length - 6] == '+' || text[text.Length - 6] == '-') && text[text.Length - 3] == ':');

    private static string Describe(object? value) =>
        value is null ? "nothing" : $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}' ({value.GetType().Name})";

    internal static SocialOsInputException Missing(string parameter) =>
        new SocialOsInputException("Missing" + parameter, parameter, null, $"{parameter} is required and was not given (or was empty).");

    internal static SocialOsInputException Invalid(string parameter, object? value, string message) =>
        new SocialOsInputException("Invalid" + parameter, parameter, value, message);
}
