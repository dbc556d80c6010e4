using System;
using System.Globalization;
using System.Linq;

namespace GiftStudio;

/// <summary>The client-side rules: what the contract fixes for each field on its own (types,
/// required values, whole numbers, tier names, the window form, and Part B's validation table
/// for a gift and a score update: <see cref="Gift"/>, <see cref="ScoreUpdate"/>). A row that
/// breaks one is refused before ShouldProcess, so -WhatIf shows it too. Culture-proof:
/// PowerShell's own conversion would turn '501.5' into 502, '0x1F4' into 500 and read
/// '03/04/2026' by the current culture; none of that happens here. What needs the server's
/// state (its clock for an expiry, a gift id's existence, a score falling below 0) is left to
/// the server. tests/Shared/InputRules.json holds the cases the sandbox must agree with.</summary>
public static class StrictInput
{
    public static readonly string[] Tiers = { "bronze", "silver", "gold", "platinum" };
    public static readonly string[] Metrics = { "gifts_redeemed", "points_awarded" };
    public static readonly string[] Actions = { ScoreActions.GiftRedeemed, ScoreActions.Adjustment };

    /// <summary>Part B's limits: a gift's reward is 1 to MaxReward, a score change at most
    /// MaxScoreValue either way, a user id at most MaxUserIdLength characters, a gift name at
    /// most MaxGiftNameLength code points after trimming.</summary>
    public const long MaxReward = 1_000_000;
    public const long MaxScoreValue = 1_000_000;
    public const int MaxUserIdLength = 128;
    public const int MaxGiftNameLength = 100;

    /// <summary>The most entries one request may ask for: a page of the gift list and the
    /// leaderboard both take a limit of 1 to MaxLimit.</summary>
    public const int MaxLimit = 1000;

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

    /// <summary>A new gift, every field checked: name, tier, reward (1 to <see cref="MaxReward"/>), expiry form.</summary>
    public static NewGiftRequest Gift(object? name, string? tier, object? reward, bool badge, object? expires) => new NewGiftRequest
    {
        Name = GiftName(name),
        Tier = Tier(tier),
        Reward = Reward(reward),
        Badge = badge,
        Expires = UtcDateTime(expires, "Expires"),
    };

    /// <summary>A score change, every field checked: the user id's form, the value (a whole
    /// number up to <see cref="MaxScoreValue"/> either way; above 0 for gift_redeemed, not 0
    /// for adjustment), the action (default gift_redeemed), a gift id only with gift_redeemed.</summary>
    public static ScoreUpdateRequest ScoreUpdate(object? userId, object? value, string? action, string? giftId)
    {
        var id = UserId(userId);
        var number = WholeNumber(value, "Value");
        var chosen = string.IsNullOrWhiteSpace(action) ? ScoreActions.GiftRedeemed : OneOf(action, "Action", Actions);
        var gift = OptionalText(giftId);
        if (gift != null && chosen != ScoreActions.GiftRedeemed)
            throw Invalid("GiftId", giftId, $"GiftId is allowed only with action {ScoreActions.GiftRedeemed}; this row's action is {chosen}. Leave GiftId empty for an adjustment.");
        return new ScoreUpdateRequest { UserId = id, Value = ScoreValue(number, chosen, value), Action = chosen, GiftId = gift };
    }

    /// <summary>1 to 128 ASCII letters, digits, '.', '_', '-' or '@'; not '.' or '..'
    /// (surrounding spaces are trimmed first).</summary>
    public static string UserId(object? value)
    {
        var text = RequiredText(value, "UserId").Trim();
        var rule = $"UserId must be 1 to {MaxUserIdLength} ASCII letters, digits, '.', '_', '-' or '@', and not '.' or '..'";
        if (text.Length > MaxUserIdLength)
            throw Invalid("UserId", value, $"{rule}; '{text}' has {text.Length} characters.");
        if (text == "." || text == "..")
            throw Invalid("UserId", value, $"{rule}; '{text}' is not.");
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsUserIdChar(text[i]))
                throw Invalid("UserId", value, $"{rule}; '{Shown(text)}' has {CharName(text, i)} at position {i + 1}.");
        }
        return text;
    }

    /// <summary>1 to 100 code points after trimming, without control (Cc) or format (Cf)
    /// characters or unpaired surrogates.</summary>
    public static string GiftName(object? value)
    {
        var text = RequiredText(value, "Name").Trim();
        var rule = $"Name must be 1 to {MaxGiftNameLength} characters without control or format characters";
        var codePoints = 0;
        for (var i = 0; i < text.Length; i++, codePoints++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                CheckNameCategory(text, i, value, rule);
                i++;
                continue;
            }
            if (char.IsSurrogate(text[i]))
                throw Invalid("Name", value, $"{rule}; '{Shown(text)}' has an unpaired surrogate {CharName(text, i)} at position {i + 1}.");
            CheckNameCategory(text, i, value, rule);
        }
        if (codePoints > MaxGiftNameLength)
            throw Invalid("Name", value, $"{rule}; '{Shown(text.Substring(0, 20))}...' has {codePoints} characters.");
        return text;
    }

    /// <summary>A whole number from 1 to <see cref="MaxReward"/>.</summary>
    public static long Reward(object? value)
    {
        var reward = WholeNumber(value, "Reward");
        if (reward < 1 || reward > MaxReward)
            throw Invalid("Reward", value, $"Reward must be a whole number from 1 to {MaxReward}; {reward} is not.");
        return reward;
    }

    private static long ScoreValue(long value, string action, object? given)
    {
        if (value < -MaxScoreValue || value > MaxScoreValue)
            throw Invalid("Value", given, $"Value must be from -{MaxScoreValue} to {MaxScoreValue}; {value} is not.");
        if (action == ScoreActions.GiftRedeemed && value <= 0)
            throw Invalid("Value", given, $"Value must be above 0 for action {ScoreActions.GiftRedeemed}; {value} is not. To take points away, use -Action {ScoreActions.Adjustment}.");
        if (action == ScoreActions.Adjustment && value == 0)
            throw Invalid("Value", given, $"Value must not be 0 for action {ScoreActions.Adjustment} (any other value from -{MaxScoreValue} to {MaxScoreValue}).");
        return value;
    }

    private static void CheckNameCategory(string text, int index, object? value, string rule)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(text, index);
        if (category == UnicodeCategory.Control || category == UnicodeCategory.Format)
            throw Invalid("Name", value, $"{rule}; '{Shown(text)}' has {CharName(text, index)} at position {index + 1}.");
    }

    private static bool IsUserIdChar(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';

    /// <summary>How a character is named in a message: 'a space', 'U+200B', or the character itself.</summary>
    private static string CharName(string text, int index)
    {
        var c = text[index];
        if (c == ' ') return "a space";
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            return $"U+{char.ConvertToUtf32(c, text[index + 1]):X4}";
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (c < ' ' || char.IsSurrogate(c) || char.IsWhiteSpace(c) || category == UnicodeCategory.Control || category == UnicodeCategory.Format)
            return $"U+{(int)c:X4}";
        return $"'{c}'";
    }

    /// <summary>A value in a message, its invisible characters written as \uXXXX so the message stays readable.</summary>
    private static string Shown(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (c < ' ' || char.IsSurrogate(c) || category == UnicodeCategory.Control || category == UnicodeCategory.Format)
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.ToString();
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
        new SocialOsInputException(ErrorIds.Missing(parameter), parameter, null, $"{parameter} is required and was not given (or was empty).");

    internal static SocialOsInputException Invalid(string parameter, object? value, string message) =>
        new SocialOsInputException(ErrorIds.Invalid(parameter), parameter, value, message);
}
