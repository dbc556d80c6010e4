using System;
using System.Globalization;
using System.Text;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace GiftStudio.Sandbox;

public sealed record NewGift(string Name, int Tier, long Reward, bool Badge, long? ExpiresMs);

public enum ScoreAction { GiftRedeemed = 1, Adjustment = 2 }

public sealed record ScoreChange(string UserId, ScoreAction Action, long Value, string? GiftId);

/// <summary>An analytics window: the instants it covers and the UTC days its daily rows list.</summary>
public sealed record Window(string Text, long FromMs, long ToMs, DateOnly FirstDay, DateOnly LastDay);

/// <summary>GET /v2/gamification/gifts: the filters and the page (after: the cursor's row, 0 for the first page).</summary>
public sealed record GiftQuery(int? Tier, bool? Active, int Limit, long After);

/// <summary>GET /v2/analytics: one of its two types.</summary>
public abstract record AnalyticsQuery;

public sealed record CurrencyQuery(CurrencyMetric Metric, Window Window) : AnalyticsQuery;

public sealed record LeaderboardQuery(int Limit) : AnalyticsQuery;

/// <summary>Every validation rule of the contract (bodies, query parameters, route values,
/// the JSON content type and the body size), in one place; Http/Api.cs only routes.</summary>
public static class RequestValidation
{
    public const long MaxReward = 1_000_000;
    public const long MaxScoreValue = 1_000_000;
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The properties of a gift body and of a score body.</summary>
    public static readonly string[] GiftFields = { "name", "tier", "reward", "badge", "expires" };
    public static readonly string[] ScoreFields = { "userId", "metric", "action", "value", "giftId" };

    /// <summary>Every field is checked and every failure reported in one 400.</summary>
    public static NewGift ReadGift(StrictJson body, DateTimeOffset now, bool strictProperties = false)
    {
        var errors = new FieldErrors();
        if (strictProperties) errors.RefuseUnknown(body, GiftFields);
        var name = errors.Check(() => ValidName(body.RequiredString("name")));
        var tier = errors.Check(() => ReadTier(body.RequiredString("tier")));
        var reward = errors.Check(() => body.RequiredInteger("reward", 1, MaxReward));
        var badge = errors.Check(() => body.OptionalBoolean("badge") ?? false);
        var expires = errors.Check(() =>
        {
            var expiresText = body.OptionalString("expires");
            if (expiresText is null) return (long?)null;
            if (!Rfc3339.TryParse(expiresText, out var instant))
                throw ApiProblem.Validation("expires", "must be an RFC 3339 timestamp with an offset, e.g. 2026-03-20T00:00:00Z");
            if (instant <= now)
                throw ApiProblem.Validation("expires", $"must be later than the server's now ({Rfc3339.Format(now.ToUnixTimeMilliseconds())})");
            return instant.ToUnixTimeMilliseconds();
        });
        errors.ThrowIfAny();
        return new NewGift(name!, tier, reward, badge, expires);
    }

    /// <summary>Every field is checked and every failure reported in one 400; the rules that
    /// join two fields (value and giftId against action) apply once action is valid.</summary>
    public static ScoreChange ReadScore(StrictJson body, bool strictProperties = false)
    {
        var errors = new FieldErrors();
        if (strictProperties) errors.RefuseUnknown(body, ScoreFields);
        var userId = errors.Check(() => ValidUserId(body.RequiredString("userId"), "userId"));
        errors.Check(() => { ValidScoreMetric(body.RequiredString("metric")); return true; });
        var action = errors.Check(() => (ScoreAction?)(body.RequiredString("action") switch
        {
            "gift_redeemed" => ScoreAction.GiftRedeemed,
            "adjustment" => ScoreAction.Adjustment,
            _ => throw ApiProblem.Validation("action", "must be gift_redeemed or adjustment"),
        }));
        var value = errors.Check(() =>
        {
            var value = body.RequiredInteger("value", -MaxScoreValue, MaxScoreValue);
            if (action == ScoreAction.GiftRedeemed && value <= 0)
                throw ApiProblem.Validation("value", $"must be above 0 for gift_redeemed (got {value})");
            if (action == ScoreAction.Adjustment && value == 0)
                throw ApiProblem.Validation("value", "must not be 0 for adjustment");
            return value;
        });
        var giftId = errors.Check(() =>
        {
            var giftId = body.OptionalString("giftId");
            if (giftId is null) return null;
            ValidGiftId(giftId, "giftId");
            if (action is { } a && a != ScoreAction.GiftRedeemed)
                throw ApiProblem.Validation("giftId", "is allowed only with action gift_redeemed");
            return giftId;
        });
        errors.ThrowIfAny();
        return new ScoreChange(userId!, action!.Value, value, giftId);
    }

    /// <summary>GET /v2/gamification/gifts: every bad parameter is reported, as for bodies.</summary>
    public static GiftQuery ReadGiftQuery(IQueryCollection query)
    {
        var errors = new FieldErrors();
        var tier = errors.Check(() => Single(query, "tier") is { } tierText ? ReadTier(tierText) : (int?)null);
        var active = errors.Check(() => Single(query, "active") switch
        {
            null => (bool?)null,
            "true" => true,
            "false" => false,
            _ => throw ApiProblem.Validation("active", "must be true or false"),
        });
        var limit = errors.Check(() => IntegerParameter(query, "limit", 1, 1000)) ?? 100;
        var after = errors.Check(() => GiftCursor.Decode(Single(query, "cursor")));
        errors.ThrowIfAny();
        return new GiftQuery(tier, active, limit, after);
    }

    /// <summary>GET /v2/gamification/score/{userId}: the user id; metric, when given, is tier.</summary>
    public static string ReadScoreQuery(string? userId, IQueryCollection query)
    {
        var errors = new FieldErrors();
        var valid = errors.Check(() => ValidUserId(userId, "userId"));
        errors.Check(() => { ValidScoreMetric(Single(query, "metric") ?? "tier"); return true; });
        errors.ThrowIfAny();
        return valid!;
    }

    /// <summary>GET /v2/analytics: the type first, then every bad parameter of that type.</summary>
    public static AnalyticsQuery ReadAnalyticsQuery(IQueryCollection query, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        switch (Single(query, "type"))
        {
            case "currency":
                {
                    var metric = errors.Check(() => CurrencyMetric.Find(Single(query, "metric"))
                        ?? throw ApiProblem.Validation("metric", $"must be {CurrencyMetric.NamesText} for type currency"));
                    var window = errors.Check(() => ReadWindow(Single(query, "window") ?? "7d", now));
                    errors.ThrowIfAny();
                    return new CurrencyQuery(metric!, window!);
                }
            case "leaderboard":
                {
                    errors.Check(() => Single(query, "metric") is null or "tier" ? true : throw ApiProblem.Validation("metric", "must be tier for type leaderboard"));
                    var limit = errors.Check(() => IntegerParameter(query, "limit", 1, 1000)) ?? 10;
                    errors.ThrowIfAny();
                    return new LeaderboardQuery(limit);
                }
            default:
                throw ApiProblem.Validation("type", "must be currency or leaderboard");
        }
    }

    private const long MaxClockAdvanceSeconds = 366 * SandboxStore.DayMs / 1000;

    /// <summary>POST /_sandbox/clock?advance=SECONDS: more than 0 and at most 366 days.</summary>
    public static TimeSpan ReadClockAdvance(IQueryCollection query)
    {
        var text = query["advance"].ToString();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds) || seconds <= 0 || seconds > MaxClockAdvanceSeconds)
            throw ApiProblem.Validation("advance", $"must be a number of seconds greater than 0 and at most {MaxClockAdvanceSeconds}");
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A JSON POST is application/json (UTF-8): checked before anything else.</summary>
    public static void CheckJsonContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type)
            || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
            throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
                $"Content-Type must be application/json (UTF-8), not '{contentType ?? "(none)"}'.",
                ProblemErrors.One("Content-Type", "must be application/json"));
    }

    /// <summary>The answer to a body over <see cref="MaxBodyBytes"/>.</summary>
    public static ApiProblem TooLarge() => new(413, "payload-too-large", "Payload too large",
        $"The body is larger than {MaxBodyBytes} bytes.", ProblemErrors.One("body", $"must be at most {MaxBodyBytes} bytes"));

    /// <summary>Tier names are matched case-insensitively (see <see cref="TierRules.Parse"/>).</summary>
    private static int ReadTier(string text) =>
        TierRules.Parse(text) ?? throw ApiProblem.Validation("tier", $"must be one of {TierRules.NamesText}");

    private static string? Single(IQueryCollection query, string name)
    {
        var values = query[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw ApiProblem.Validation(name, "must be given only once"),
        };
    }

    private static int? IntegerParameter(IQueryCollection query, string name, int min, int max)
    {
        var text = Single(query, name);
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiProblem.Validation(name, $"must be a whole number from {min} to {max}");
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
