using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Exact JSON shapes: the set of property names and each one's JSON type.</summary>
public static class Shape
{
    private static readonly Regex TimestampPattern = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$", RegexOptions.CultureInvariant);
    private static readonly Regex DatePattern = new(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant);

    public static void Exactly(JsonElement element, params (string Name, Kind Kind)[] properties)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var actual = element.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var expected = properties.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.True(expected.SequenceEqual(actual), $"properties [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}] in {element.GetRawText()}");
        foreach (var (name, kind) in properties) AssertKind(element.GetProperty(name), kind, name);
    }

    public static void AssertKind(JsonElement value, Kind kind, string name)
    {
        var ok = kind switch
        {
            Kind.String => value.ValueKind == JsonValueKind.String,
            Kind.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _) && !value.GetRawText().Any(c => c is '.' or 'e' or 'E'),
            Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            Kind.Object => value.ValueKind == JsonValueKind.Object,
            Kind.Array => value.ValueKind == JsonValueKind.Array,
            Kind.Null => value.ValueKind == JsonValueKind.Null,
            Kind.StringOrNull => value.ValueKind is JsonValueKind.String or JsonValueKind.Null,
            Kind.Timestamp => IsTimestamp(value),
            Kind.TimestampOrNull => value.ValueKind == JsonValueKind.Null || IsTimestamp(value),
            Kind.Date => value.ValueKind == JsonValueKind.String && DatePattern.IsMatch(value.GetString()!)
                && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => false,
        };
        Assert.True(ok, $"'{name}' should be {kind}, is {value.GetRawText()}");
    }

    public static bool IsTimestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && IsTimestamp(value.GetString()!);

    /// <summary>RFC 3339 in UTC with Z.</summary>
    public static bool IsTimestamp(string text) =>
        TimestampPattern.IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _);

    public static DateTimeOffset Instant(JsonElement value)
    {
        Assert.True(IsTimestamp(value), $"not an RFC 3339 UTC timestamp: {value.GetRawText()}");
        return DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
    }

    public static void Gift(JsonElement gift) => Exactly(gift,
        ("gift_id", Kind.String), ("name", Kind.String), ("tier", Kind.String), ("reward", Kind.Integer),
        ("badge_included", Kind.Boolean), ("expires", Kind.TimestampOrNull), ("created_at", Kind.Timestamp));

    public static void Score(JsonElement score) => Exactly(score,
        ("userId", Kind.String), ("metric", Kind.String), ("previous", Kind.Integer), ("current", Kind.Integer),
        ("tier_name", Kind.String), ("rank", Kind.Integer), ("updated_at", Kind.Timestamp));

    public static void Currency(JsonElement audit)
    {
        Exactly(audit, ("type", Kind.String), ("metric", Kind.String), ("window", Kind.String), ("summary", Kind.Object), ("daily", Kind.Array));
        Exactly(audit.GetProperty("summary"), ("total_gifts", Kind.Integer), ("total_value", Kind.Integer),
            ("unique_recipients", Kind.Integer), ("top_tier", Kind.StringOrNull));
        foreach (var day in audit.GetProperty("daily").EnumerateArray())
            Exactly(day, ("date", Kind.Date), ("count", Kind.Integer), ("value", Kind.Integer));
    }

    public static void Leaderboard(JsonElement board)
    {
        Exactly(board, ("type", Kind.String), ("metric", Kind.String), ("entries", Kind.Array), ("total", Kind.Integer));
        foreach (var entry in board.GetProperty("entries").EnumerateArray())
            Exactly(entry, ("rank", Kind.Integer), ("userId", Kind.String), ("score", Kind.Integer), ("tier_name", Kind.String));
    }

    public static void GiftPage(JsonElement page)
    {
        Exactly(page, ("data", Kind.Array), ("next_cursor", Kind.StringOrNull));
        foreach (var gift in page.GetProperty("data").EnumerateArray()) Gift(gift);
    }
}
