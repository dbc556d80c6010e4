using System;
using System.Globalization;
using System.Text;

namespace GiftStudio.Sandbox;

public sealed record NewGift(string Name, int Tier, long Reward, bool Badge, long? ExpiresMs);

public enum ScoreAction { GiftRedeemed = 1, Adjustment = 2 }

public sealed record ScoreChange(string UserId, ScoreAction Action, long Value, string? GiftId);

/// <summary>An analytics window: the instants it covers and the UTC days its daily rows list.</summary>
public sealed record Window(string Text, long FromMs, long ToMs, DateOnly FirstDay, DateOnly LastDay);

/// <summary>Every validation rule of the contract, in one place.</summary>
public static class Requests
{
    public const long MaxReward = 1_000_000;
    public const long MaxScoreValue = 1_000_000;

    public static NewGift ReadGift(StrictJson body, DateTimeOffset now)
    {
        var name = ValidName(body.RequiredString("name"));
        var tierText = body.RequiredString("tier");
        var tier = TierRules.Parse(tierText)
            ?? throw ApiProblem.Validation("tier", $"must be one of {TierRules.NamesText}");
        var reward = body.RequiredInteger("reward", 1, MaxReward);
        var badge = body.OptionalBoolean("badge") ?? false;
        long? expires = null;
        var expiresText = body.OptionalString("expires");
        if (expiresText is not null)
        {
            if (!Rfc3339.TryParse(expiresText, out var instant))
                throw ApiProblem.Validation("expires", "must be an RFC 3339 timestamp with an offset, e.g. 2026-03-20T00:00:00Z");
            if (instant <= now)
                throw ApiProblem.Validation("expires", $"must be later than the server's now ({Rfc3339.Format(now.ToUnixTimeMilliseconds())})");
            expires = instant.ToUnixTimeMilliseconds();
        }
        return new NewGift(name, tier, reward, badge, expires);
    }

    public static ScoreChange ReadScore(StrictJson body)
    {
        var userId = ValidUserId(body.RequiredString("userId"), "userId");
        ValidScoreMetric(body.RequiredString("metric"));
        var action = body.RequiredString("action") switch
        {
            "gift_redeemed" => ScoreAction.GiftRedeemed,
            "adjustment" => ScoreAction.Adjustment,
            _ => throw ApiProblem.Validation("action", "must be gift_redeemed or adjustment"),
        };
        var value = body.RequiredInteger("value", -MaxScoreValue, MaxScoreValue);
        if (action == ScoreAction.GiftRedeemed && value <= 0)
            throw ApiProblem.Validation("value", $"must be above 0 for gift_redeemed (got {value})");
        if (action == ScoreAction.Adjustment && value == 0)
            throw ApiProblem.Validation("value", "must not be 0 for adjustment");
        var giftId = body.OptionalString("giftId");
        if (giftId is not null)
        {
            ValidGiftId(giftId, "giftId");
            if (action != ScoreAction.GiftRedeemed)
                throw ApiProblem.Validation("giftId", "is allowed only with action gift_redeemed");
        }
        return new ScoreChange(userId, action, value, giftId);
    }

    public static void ValidScoreMetric(string? metric)
    {
        if (metric != "tier") throw ApiProblem.Validation("metric", "must be tier");
    }

    public static string ValidName(string raw)
    {
        var name = raw.Trim();
        var codePoints = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format)
                throw ApiProblem.Validation("name", $"must not contain control or format characters (found U+{rune.Value:X4})");
            codePoints++;
        }
        if (codePoints is < 1 or > 100)
            throw ApiProblem.Validation("name", $"must be 1 to 100 characters after trimming (got {codePoints})");
        return name;
    }

    public static string ValidUserId(string? userId, string field)
    {
        const string rule = "must be 1 to 128 ASCII letters, digits, '.', '_', '-' or '@', and not '.' or '..'";
        if (string.IsNullOrEmpty(userId) || userId.Length > 128 || userId is "." or "..")
            throw ApiProblem.Validation(field, rule);
        foreach (var c in userId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@')) throw ApiProblem.Validation(field, rule);
        }
        return userId;
    }

    public static void ValidGiftId(string giftId, string field)
    {
        const string rule = "must be a gift id: gift_ followed by 1 to 64 letters, digits, '-' or '_'";
        if (!giftId.StartsWith("gift_", StringComparison.Ordinal) || giftId.Length is < 6 or > 69)
            throw ApiProblem.Validation(field, rule);
        foreach (var c in giftId.AsSpan(5))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) throw ApiProblem.Validation(field, rule);
        }
    }

    /// <summary>`Nd` covers today and the N-1 UTC days before it, from midnight; `Nh` covers the
    /// last N hours. Both end now, and the daily rows list every UTC day touched.</summary>
    public static Window ReadWindow(string? text, DateTimeOffset now)
    {
        const string rule = "must be <n>h (1-8760) or <n>d (1-365), e.g. 24h or 7d";
        if (string.IsNullOrEmpty(text) || text.Length > 5) throw ApiProblem.Validation("window", rule);
        var unit = text[^1];
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw ApiProblem.Validation("window", rule);
        var nowMs = now.ToUnixTimeMilliseconds();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        switch (unit)
        {
            case 'd' when n is >= 1 and <= 365:
            {
                var first = today.AddDays(-(n - 1));
                return new Window(text, StartOfDayMs(first), nowMs, first, today);
            }
            case 'h' when n is >= 1 and <= 8760:
            {
                var from = nowMs - n * 3_600_000L;
                var first = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(from).UtcDateTime);
                return new Window(text, from, nowMs, first, today);
            }
            default:
                throw ApiProblem.Validation("window", rule);
        }
    }

    public static long StartOfDayMs(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
