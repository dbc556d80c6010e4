using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>What the client SENDS, read off the socket of a raw server.</summary>
public sealed class RequestTests
{
    private static CannedResponse GiftOk => CannedResponse.Json(200, Examples.Gift, "X-Request-Id: req_gift");
    private static CannedResponse ScoreOk => CannedResponse.Json(200, Examples.Score, "X-Request-Id: req_score");

    private static JsonElement Parse(RecordedRequest request)
    {
        using var document = JsonDocument.Parse(request.Body);
        return document.RootElement.Clone();
    }

    private static string[] Names(JsonElement json) => json.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Create_gift_sends_the_contract_request()
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest
        {
            Name = "Welcome Pack",
            Tier = "gold",
            Reward = 500,
            Badge = true,
            Expires = new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc),
        });

        var request = server.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/gamification/gifts", request.Target);
        Assert.Equal("HTTP/1.1", request.Version);
        var json = Parse(request);
        Assert.Equal(new[] { "badge", "expires", "name", "reward", "tier" }, Names(json));
        Assert.Equal("Welcome Pack", json.GetProperty("name").GetString());
        Assert.Equal("gold", json.GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("reward").ValueKind);
        Assert.Equal("500", json.GetProperty("reward").GetRawText());
        Assert.Equal(JsonValueKind.True, json.GetProperty("badge").ValueKind);
        Assert.Equal("2026-03-20T00:00:00Z", json.GetProperty("expires").GetString());
    }

    [Fact]
    public async Task Post_headers_are_json_bearer_user_agent_and_content_length()
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest { Name = "Welcome Pack", Tier = "gold", Reward = 500 });

        var request = server.Single();
        var contentType = MediaTypeHeaderValue.Parse(request.Header("Content-Type")!);
        Assert.Equal("application/json", contentType.MediaType);
        Assert.True(contentType.CharSet is null || string.Equals(contentType.CharSet, "utf-8", StringComparison.OrdinalIgnoreCase), contentType.ToString());
        Assert.Equal($"Bearer {Clients.Key}", request.Header("Authorization"));
        Assert.Single(request.Values("Authorization"));
        Assert.StartsWith("GiftStudio/", request.Header("User-Agent"));
        Assert.Equal(request.Body.Length.ToString(CultureInfo.InvariantCulture), request.Header("Content-Length"));
        Assert.Null(request.Header("Transfer-Encoding"));
        Assert.Contains("application/json", request.Header("Accept"));
        Assert.Equal($"127.0.0.1:{server.Port}", request.Header("Host"));
    }

    [Fact]
    public async Task Body_is_utf8_json()
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest { Name = "Café ☕ 🎁", Tier = "gold", Reward = 500 });

        var json = Parse(server.Single());
        Assert.Equal("Café ☕ 🎁", json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Create_gift_without_expires_omits_the_property()
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest { Name = "Forever", Tier = "silver", Reward = 1, Badge = false, Expires = null });

        var json = Parse(server.Single());
        Assert.Equal(new[] { "badge", "name", "reward", "tier" }, Names(json));
        Assert.Equal(JsonValueKind.False, json.GetProperty("badge").ValueKind);
        Assert.DoesNotContain("null", server.Single().BodyText);
    }

    public static IEnumerable<object[]> ExpiresCases()
    {
        yield return new object[] { new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc) };
        yield return new object[] { new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Local) };
        yield return new object[] { new DateTime(2026, 7, 1, 23, 30, 15, DateTimeKind.Local) };
        yield return new object[] { new DateTime(2026, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddMilliseconds(250) };
    }

    [Theory]
    [MemberData(nameof(ExpiresCases))]
    public async Task Expires_is_rfc3339_utc_with_z(DateTime expires)
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest { Name = "N", Tier = "gold", Reward = 5, Expires = expires });

        var text = Parse(server.Single()).GetProperty("expires").GetString()!;
        Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$"), text);
        var sent = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
        Assert.Equal(expires.ToUniversalTime(), sent);
    }

    [Fact]
    public async Task Update_score_sends_user_id_metric_tier_and_no_gift_id_when_null()
    {
        await using var server = new RawHttpServer(ScoreOk);
        using var client = Clients.Create(server.BaseUri);

        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Action = ScoreActions.GiftRedeemed, Value = 500, GiftId = null });

        var request = server.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/gamification/score", request.Target);
        Assert.Equal("application/json", MediaTypeHeaderValue.Parse(request.Header("Content-Type")!).MediaType);
        var json = Parse(request);
        Assert.Equal(new[] { "action", "metric", "userId", "value" }, Names(json));
        Assert.Equal("alice.kred", json.GetProperty("userId").GetString());
        Assert.Equal("tier", json.GetProperty("metric").GetString());
        Assert.Equal("gift_redeemed", json.GetProperty("action").GetString());
        Assert.Equal("500", json.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task Update_score_sends_gift_id_when_given_and_negative_adjustments()
    {
        await using var server = new RawHttpServer(ScoreOk);
        using var client = Clients.Create(server.BaseUri);

        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "bob", Action = ScoreActions.GiftRedeemed, Value = 500, GiftId = "gift_w3lc" });
        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "bob", Action = ScoreActions.Adjustment, Value = -25 });

        var first = Parse(server.Requests[0]);
        Assert.Equal(new[] { "action", "giftId", "metric", "userId", "value" }, Names(first));
        Assert.Equal("gift_w3lc", first.GetProperty("giftId").GetString());
        var second = Parse(server.Requests[1]);
        Assert.Equal("adjustment", second.GetProperty("action").GetString());
        Assert.Equal("-25", second.GetProperty("value").GetRawText());
        Assert.False(second.TryGetProperty("giftId", out _));
    }

    [Fact]
    public async Task Every_post_carries_a_fresh_idempotency_key()
    {
        await using var server = new RawHttpServer(r => r.Path.EndsWith("/gifts", StringComparison.Ordinal) ? GiftOk : ScoreOk);
        using var client = Clients.Create(server.BaseUri);

        await client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 });
        await client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 });
        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1 });
        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1 }, idempotencyKey: "");

        var keys = server.Requests.Select(r => Assert.Single(r.Values("Idempotency-Key"))).ToList();
        Assert.Equal(4, keys.Count);
        Assert.Equal(4, keys.Distinct(StringComparer.Ordinal).Count());
        foreach (var key in keys)
        {
            Assert.InRange(key.Length, 1, 255);
            Assert.All(key, c => Assert.InRange(c, '!', '~'));
        }
    }

    [Fact]
    public async Task A_given_idempotency_key_is_sent_as_is()
    {
        await using var server = new RawHttpServer(r => r.Path.EndsWith("/gifts", StringComparison.Ordinal) ? GiftOk : ScoreOk);
        using var client = Clients.Create(server.BaseUri);

        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1 }, idempotencyKey: "import-2026-02-20-row-17");
        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1 }, idempotencyKey: "import-2026-02-20-row-17");
        await client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 }, idempotencyKey: "gift-key-1");

        Assert.Equal(new[] { "import-2026-02-20-row-17", "import-2026-02-20-row-17", "gift-key-1" },
            server.Requests.Select(r => Assert.Single(r.Values("Idempotency-Key"))).ToArray());
    }

    [Fact]
    public async Task Audit_is_a_get_with_the_contract_query_and_no_body()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Audit));
        using var client = Clients.Create(server.BaseUri);

        await client.GetCurrencyAuditAsync("gifts_redeemed", "7d");

        var request = server.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v2/analytics", request.Path);
        Assert.Equal("type=currency&metric=gifts_redeemed&window=7d", request.Query);
        Assert.Empty(request.Body);
        Assert.Null(request.Header("Idempotency-Key"));
        Assert.Equal($"Bearer {Clients.Key}", request.Header("Authorization"));
        Assert.StartsWith("GiftStudio/", request.Header("User-Agent"));
    }

    [Fact]
    public async Task Audit_query_values_are_escaped()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Audit));
        using var client = Clients.Create(server.BaseUri);

        await client.GetCurrencyAuditAsync("a&b=c", "7d #x");

        Assert.Equal("type=currency&metric=a%26b%3Dc&window=7d%20%23x", server.Single().Query);
    }

    [Theory]
    [InlineData("/v2")]
    [InlineData("/v2/")]
    [InlineData("/api/socialos/v2")]
    public async Task The_base_path_is_kept_with_or_without_a_trailing_slash(string basePath)
    {
        await using var server = new RawHttpServer(GiftOk);
        using var client = Clients.Create(new Uri($"http://127.0.0.1:{server.Port}{basePath}"));

        await client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 });

        Assert.Equal(basePath.TrimEnd('/') + "/gamification/gifts", server.Single().Target);
        Assert.EndsWith("/", client.BaseUri.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/v2?key=1")]
    [InlineData("http://127.0.0.1:5080/v2?")]
    [InlineData("http://127.0.0.1:5080/v2#top")]
    [InlineData("ftp://127.0.0.1/v2")]
    [InlineData("file:///tmp/v2")]
    public void A_base_uri_with_a_query_fragment_or_other_scheme_is_rejected(string uri)
    {
        var options = new SocialOsClientOptions();
        Assert.Throws<ArgumentException>(() => options.BaseUri = new Uri(uri));
        Assert.Throws<ArgumentException>(() => SocialOsClientOptions.NormalizeBaseUri(new Uri(uri)));
    }

    [Fact]
    public void A_relative_base_uri_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SocialOsClientOptions.NormalizeBaseUri(new Uri("v2", UriKind.Relative)));
        Assert.Throws<ArgumentNullException>(() => new SocialOsClientOptions().BaseUri = null!);
    }

    [Theory]
    [InlineData("https://sandbox.socialos.io/v2", "https://sandbox.socialos.io/v2/")]
    [InlineData("https://sandbox.socialos.io/v2/", "https://sandbox.socialos.io/v2/")]
    [InlineData("https://sandbox.socialos.io", "https://sandbox.socialos.io/")]
    [InlineData("http://127.0.0.1:5080/v2", "http://127.0.0.1:5080/v2/")]
    [InlineData("HTTP://LOCALHOST:5080/v2", "http://localhost:5080/v2/")]
    [InlineData("https://api.example.com:8443/a/b/v2", "https://api.example.com:8443/a/b/v2/")]
    [InlineData("http://[::1]:5080/v2", "http://[::1]:5080/v2/")]
    public void NormalizeBaseUri_ends_the_path_with_one_slash(string input, string expected)
    {
        Assert.Equal(expected, SocialOsClientOptions.NormalizeBaseUri(new Uri(input)).AbsoluteUri);
        Assert.Equal(expected, new SocialOsClientOptions { BaseUri = new Uri(input) }.BaseUri.AbsoluteUri);
    }

    [Fact]
    public void The_default_base_uri_is_the_hosted_sandbox()
    {
        Assert.Equal("https://sandbox.socialos.io/v2/", new SocialOsClientOptions().BaseUri.AbsoluteUri);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_comes_back_as_an_error()
    {
        RawHttpServer? server = null;
        server = new RawHttpServer(r => r.Path == "/v2/gamification/gifts"
            ? CannedResponse.Empty(302, $"Location: http://127.0.0.1:{server!.Port}/elsewhere/gifts", "X-Request-Id: req_302")
            : GiftOk);
        await using (server)
        {
            using var client = Clients.Create(server.BaseUri);

            var error = await Assert.ThrowsAsync<SocialOsException>(() =>
                client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 }));

            Assert.Equal(302, error.StatusCode);
            Assert.Equal("req_302", error.RequestId);
            Assert.Contains("302", error.Message);
            var only = server.Single();
            Assert.Equal("/v2/gamification/gifts", only.Path);
        }
    }

    /// <summary>SocialOsClient documents that it can be handed "any HttpClient whose pipeline you
    /// own" and exposes Options.BaseUri as where it talks to, so a caller-built HttpClient (here
    /// without a BaseAddress) must still reach Options.BaseUri.</summary>
    [Fact]
    public async Task A_caller_supplied_http_client_talks_to_options_base_uri()
    {
        await using var server = new RawHttpServer(GiftOk);
        var handler = new AuthenticationHandler(Clients.Secure(Clients.Key)) { InnerHandler = new SocketsHttpHandler() };
        using var client = new SocialOsClient(new HttpClient(handler), Clients.Options(server.BaseUri));

        var gift = await client.CreateGiftAsync(new NewGiftRequest { Name = "A", Tier = "gold", Reward = 1 });

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal("/v2/gamification/gifts", server.Single().Target);
    }
}
