using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The tests' calls to the sandbox over HTTP: its routes, request bodies, and calls
/// that read the answer completely. Every call goes through <see cref="Invariants.Check"/>: never a 5xx,
/// X-Request-Id and the rate-limit headers on every response, problem+json on every non-2xx.</summary>
public static class SandboxCalls
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
