using System;
using System.Globalization;

namespace GiftStudio.Sandbox;

/// <summary>Strict RFC 3339 timestamps: a full date and time with seconds and an explicit
/// offset (Z or ±hh:mm). Out: UTC with Z, milliseconds only when present.</summary>
public static class Rfc3339
{
    private static readonly string[] Formats =
    {
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    };

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        // 'K' also accepts no offset at all; RFC 3339 requires one.
        if (text.Length < 20) return false;
        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length >= 25 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset) return false;
        var normalized = text.Replace('t', 'T').Replace('z', 'Z');
        return DateTimeOffset.TryParseExact(normalized, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal, out value);
    }

    public static string Format(long unixMs)
    {
        var instant = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;
        return unixMs % 1000 == 0
            ? instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : instant.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
