using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>One HTTP exchange, read completely: status, headers, raw body bytes.</summary>
public sealed class Answer
{
    private JsonElement? _json;

    public Answer(HttpResponseMessage response, byte[] body)
    {
        Status = (int)response.StatusCode;
        Headers = response.Headers;
        ContentHeaders = response.Content.Headers;
        Body = body;
        Text = Encoding.UTF8.GetString(body);
    }

    public int Status { get; }
    public HttpResponseHeaders Headers { get; }
    public HttpContentHeaders ContentHeaders { get; }
    public byte[] Body { get; }
    public string Text { get; }
    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    /// <summary>The body as JSON (parsed once); fails the test with the body when it is not JSON.</summary>
    public JsonElement Json
    {
        get
        {
            if (_json is null)
            {
                try
                {
                    using var document = JsonDocument.Parse(Body);
                    _json = document.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    Assert.Fail($"The body is not JSON ({e.Message}): {this}");
                }
            }
            return _json!.Value;
        }
    }

    /// <summary>A response or content header, values joined with ", "; null when absent.</summary>
    public string? Header(string name)
    {
        if (Headers.TryGetValues(name, out var values) || ContentHeaders.TryGetValues(name, out values))
            return string.Join(", ", values);
        return null;
    }

    public string RequestId => Header("X-Request-Id") ?? "";

    public override string ToString() => $"HTTP {Status} {MediaType ?? "(no content type)"} {(Body.Length == 0 ? "(empty body)" : Text)}";
}

/// <summary>HTTP helpers. Every call goes through <see cref="Invariants.Check"/>: never a 5xx,
/// X-Request-Id and the rate-limit headers on every response, problem+json on every non-2xx.</summary>
public static class Api
{
    public const string Gifts = "/v2/gamification/gifts";
    public const string Score = "/v2/gamification/score";
    public const string Analytics = "/v2/analytics";

    public static async Task<Answer> ExchangeAsync(this HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            var answer = new Answer(response, body);
            Invariants.Check(answer, $"{request.Method} {request.RequestUri}");
            return answer;
        }
    }

    public static Task<Answer> FetchAsync(this HttpClient client, string path) =>
        client.ExchangeAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>POSTs <paramref name="json"/> verbatim as application/json (UTF-8).</summary>
    public static Task<Answer> PostJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null) =>
        client.PostBytesAsync(path, Encoding.UTF8.GetBytes(json), "application/json", idempotencyKey);

    public static Task<Answer> PostBytesAsync(this HttpClient client, string path, byte[] body, string? contentType, string? idempotencyKey = null)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.ExchangeAsync(request);
    }

    /// <summary>POST /_sandbox/reset for the client's tenant; asserts 200 and returns what it removed.</summary>
    public static async Task<JsonElement> ResetAsync(this HttpClient client)
    {
        var answer = await client.ExchangeAsync(new HttpRequestMessage(HttpMethod.Post, "/_sandbox/reset"));
        answer.IsOk();
        return answer.Json;
    }

    /// <summary>Serializes the properties as given (null values are left out).</summary>
    public static string Body(params (string Name, object? Value)[] properties)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            if (value is not null) map[name] = value;
        }
        return JsonSerializer.Serialize(map);
    }

    public static string GiftBody(string name = "Test gift", string tier = "gold", long reward = 100, bool? badge = null, string? expires = null) =>
        Body(("name", name), ("tier", tier), ("reward", reward), ("badge", badge), ("expires", expires));

    public static string ScoreBody(string userId, long value, string action = "adjustment", string? giftId = null) =>
        Body(("userId", userId), ("metric", "tier"), ("action", action), ("value", value), ("giftId", giftId));

    public static Task<Answer> CreateGiftAsync(this HttpClient client, string name = "Test gift", string tier = "gold",
        long reward = 100, bool? badge = null, string? expires = null, string? idempotencyKey = null) =>
        client.PostJsonAsync(Gifts, GiftBody(name, tier, reward, badge, expires), idempotencyKey);

    /// <summary>Creates a gift, asserts 200, returns its gift_id.</summary>
    public static async Task<string> NewGiftAsync(this HttpClient client, string tier = "gold", string? expires = null, string name = "Test gift")
    {
        var answer = await client.CreateGiftAsync(name, tier, 100, expires: expires);
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Json.GetProperty("gift_id").GetString()!;
    }

    public static Task<Answer> ScoreAsync(this HttpClient client, string userId, long value, string action = "adjustment",
        string? giftId = null, string? idempotencyKey = null) =>
        client.PostJsonAsync(Score, ScoreBody(userId, value, action, giftId), idempotencyKey);

    /// <summary>Applies a score change, asserts 200, returns the response body.</summary>
    public static async Task<JsonElement> AddScoreAsync(this HttpClient client, string userId, long value, string action = "adjustment", string? giftId = null)
    {
        var answer = await client.ScoreAsync(userId, value, action, giftId);
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Json;
    }

    public static Task<Answer> GetScoreAsync(this HttpClient client, string userId) =>
        client.FetchAsync($"{Score}/{Uri.EscapeDataString(userId)}?metric=tier");

    /// <summary>The user's current score, or null when the user has none (404).</summary>
    public static async Task<long?> CurrentScoreAsync(this HttpClient client, string userId)
    {
        var answer = await client.GetScoreAsync(userId);
        if (answer.Status == 404) return null;
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Json.GetProperty("current").GetInt64();
    }

    public static Task<Answer> CurrencyAsync(this HttpClient client, string metric = "gifts_redeemed", string window = "7d") =>
        client.FetchAsync($"{Analytics}?type=currency&metric={metric}&window={window}");

    public static async Task<JsonElement> CurrencyOkAsync(this HttpClient client, string metric = "gifts_redeemed", string window = "7d")
    {
        var answer = await client.CurrencyAsync(metric, window);
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Json;
    }

    public static async Task<JsonElement> LeaderboardAsync(this HttpClient client, int? limit = null)
    {
        var answer = await client.FetchAsync($"{Analytics}?type=leaderboard&metric=tier" + (limit is null ? "" : $"&limit={limit}"));
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Json;
    }

    /// <summary>Every gift of the tenant, following next_cursor with the given page size.</summary>
    public static async Task<List<JsonElement>> ListAllGiftsAsync(this HttpClient client, int limit, string filter = "")
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "paging does not end");
            var answer = await client.FetchAsync($"{Gifts}?limit={limit}{filter}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.True(answer.Status == 200, answer.ToString());
            var data = answer.Json.GetProperty("data");
            Assert.True(data.GetArrayLength() <= limit, answer.ToString());
            all.AddRange(data.EnumerateArray());
            var next = answer.Json.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null) return all;
            Assert.Equal(JsonValueKind.String, next.ValueKind);
            Assert.True(data.GetArrayLength() == limit, $"a page before the last one is full: {answer}");
            cursor = next.GetString();
        }
    }

    public static long Int(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static string? Str(this JsonElement element, string name) => element.GetProperty(name).GetString();
}

/// <summary>What holds for every response of the sandbox.</summary>
public static class Invariants
{
    public static void Check(Answer answer, string request)
    {
        Assert.True(answer.Status < 500, $"{request} answered a server fault: {answer}");
        Assert.False(string.IsNullOrWhiteSpace(answer.Header("X-Request-Id")), $"{request}: no X-Request-Id. {answer}");
        var remaining = answer.Header("X-RateLimit-Remaining");
        Assert.True(long.TryParse(remaining, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            $"{request}: X-RateLimit-Remaining is '{remaining}'. {answer}");
        var limit = answer.Header("X-RateLimit-Limit");
        Assert.True(long.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var limitValue) && limitValue >= 1,
            $"{request}: X-RateLimit-Limit is '{limit}'. {answer}");
        var reset = answer.Header("X-RateLimit-Reset");
        Assert.True(long.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            $"{request}: X-RateLimit-Reset is '{reset}'. {answer}");
        if (answer.Status >= 400) Problem.AssertWellFormed(answer, request);
        else if (answer.Status is >= 200 and < 300) Assert.True(answer.MediaType == "application/json", $"{request}: 2xx is not application/json. {answer}");
    }
}

/// <summary>RFC 9457 problem details as the contract states them.</summary>
public static class Problem
{
    public const string TypeBase = "https://docs.socialos.io/errors/";

    public static void AssertWellFormed(Answer answer, string request)
    {
        Assert.True(answer.MediaType == "application/problem+json", $"{request}: a {answer.Status} must be application/problem+json. {answer}");
        var json = answer.Json;
        Assert.True(json.ValueKind == JsonValueKind.Object, $"{request}: problem is not an object. {answer}");
        Assert.True(json.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && Uri.TryCreate(type.GetString(), UriKind.Absolute, out _), $"{request}: problem type. {answer}");
        Assert.True(json.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString()!.Length > 0,
            $"{request}: problem title. {answer}");
        Assert.True(json.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.GetInt32() == answer.Status,
            $"{request}: problem status. {answer}");
        Assert.True(json.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString()!.Length > 0,
            $"{request}: problem detail. {answer}");
        if (json.TryGetProperty("errors", out var errors))
        {
            Assert.True(errors.ValueKind == JsonValueKind.Object, $"{request}: errors is not an object. {answer}");
            foreach (var field in errors.EnumerateObject())
            {
                Assert.True(field.Value.ValueKind == JsonValueKind.Array && field.Value.GetArrayLength() > 0
                    && field.Value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String),
                    $"{request}: errors.{field.Name} is not an array of messages. {answer}");
            }
        }
    }

    /// <summary>Asserts the status, the type (…/errors/<paramref name="type"/>) and that
    /// `errors` names <paramref name="field"/>.</summary>
    public static JsonElement Is(this Answer answer, int status, string? type = null, string? field = null)
    {
        Assert.True(answer.Status == status, $"expected {status}, got {answer}");
        AssertWellFormed(answer, "");
        if (type is not null) Assert.Equal(TypeBase + type, answer.Json.Str("type"));
        if (field is not null)
        {
            Assert.True(answer.Json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"expected errors to name '{field}': {answer}");
        }
        return answer.Json;
    }

    public static JsonElement IsValidation(this Answer answer, string field) => answer.Is(400, "validation", field);

    public static void IsOk(this Answer answer) => Assert.True(answer.Status == 200, $"expected 200, got {answer}");
}

public enum Kind { String, Integer, Boolean, Object, Array, Null, StringOrNull, Timestamp, TimestampOrNull, Date }

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

/// <summary>Unique, valid user ids, so tests on a shared server never meet.</summary>
public static class Ids
{
    private static int _counter;

    public static string User(string prefix = "u") =>
        $"{prefix}-{System.Threading.Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..8]}";

    public static string Key(string prefix = "idem") => $"{prefix}-{Guid.NewGuid():N}";
}
