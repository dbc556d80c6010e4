using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>Where a general request may go (RequestRules.Resolve), its query and headers, and
/// SocialOsClient.SendAsync through the transport: keys, retries by method, refusals before sending.</summary>
public sealed class RequestRulesTests
{
    private static readonly Uri Base = new("https://api.example.com/v2/");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("/gamification/gifts", "https://api.example.com/v2/gamification/gifts")]
    [InlineData("gamification/gifts", "https://api.example.com/v2/gamification/gifts")]
    [InlineData("  /gamification/gifts  ", "https://api.example.com/v2/gamification/gifts")]
    [InlineData("/gamification/gifts?tier=gold&limit=5", "https://api.example.com/v2/gamification/gifts?tier=gold&limit=5")]
    [InlineData("/gamification/gifts/gift_w3lc", "https://api.example.com/v2/gamification/gifts/gift_w3lc")]
    [InlineData("/", "https://api.example.com/v2/")]
    [InlineData("?type=x", "https://api.example.com/v2/?type=x")]
    [InlineData("/a%2Fb", "https://api.example.com/v2/a%2Fb")]
    [InlineData("https://api.example.com/v2/gamification/gifts", "https://api.example.com/v2/gamification/gifts")]
    [InlineData("HTTPS://API.EXAMPLE.COM/v2/analytics?type=leaderboard", "https://api.example.com/v2/analytics?type=leaderboard")]
    [InlineData("https://api.example.com:443/v2/gamification/score", "https://api.example.com/v2/gamification/score")]
    [InlineData("https://api.example.com/v2", "https://api.example.com/v2")]
    public void Resolve_keeps_the_base_path(string path, string expected)
    {
        Assert.Equal(expected, RequestRules.Resolve(Base, path).AbsoluteUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("http://api.example.com/v2/gamification/gifts")]         // another scheme
    [InlineData("https://api.example.com:8443/v2/gamification/gifts")]   // another port
    [InlineData("https://evil.example.com/v2/gamification/gifts")]       // another host
    [InlineData("https://api.example.com.evil.net/v2/gamification/gifts")]
    [InlineData("https://api.example.com/v3/gamification/gifts")]        // outside the base path
    [InlineData("https://api.example.com/v2x/gamification")]
    [InlineData("https://api.example.com/")]
    [InlineData("https://api.example.com/v2/../admin")]
    [InlineData("https://user:s3cr3tpw@api.example.com/v2/gamification/gifts")]
    [InlineData("//evil.example.com/v2/gamification/gifts")]             // a network-path reference
    [InlineData("//api.example.com/v2/gamification/gifts")]
    [InlineData("../admin")]
    [InlineData("/gamification/../../admin")]
    [InlineData("/gamification/../gifts")]
    [InlineData("/./gamification")]
    [InlineData("/%2e%2e/admin")]
    [InlineData("/%2E%2e/admin")]
    [InlineData("/gamification\\..\\..\\admin")]
    [InlineData("/gifts#fragment")]
    [InlineData("ftp://api.example.com/v2/gamification")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/gifts\r\nX-Injected: 1")]
    public void Resolve_refuses_anything_outside_the_base(string? path)
    {
        var error = Assert.Throws<SocialOsInputException>(() => RequestRules.Resolve(Base, path));
        Assert.Equal("InvalidPath", error.ErrorId);
        Assert.Equal("Path", error.ParamName);
        Assert.DoesNotContain("s3cr3tpw", error.Message);
    }

    [Fact]
    public void Resolve_keeps_a_deeper_base_path()
    {
        var deep = new Uri("http://127.0.0.1:5000/tenant/a/v2/");
        Assert.Equal("http://127.0.0.1:5000/tenant/a/v2/gamification/gifts", RequestRules.Resolve(deep, "/gamification/gifts").AbsoluteUri);
        Assert.Throws<SocialOsInputException>(() => RequestRules.Resolve(deep, "http://127.0.0.1:5000/tenant/b/v2/gamification/gifts"));
        Assert.Throws<SocialOsInputException>(() => RequestRules.Resolve(deep, "http://localhost:5000/tenant/a/v2/gamification/gifts"));
    }

    [Fact]
    public void Query_is_escaped_and_culture_free()
    {
        var query = new List<KeyValuePair<string, object?>>
        {
            new("name", "a&b=c d"),
            new("active", true),
            new("ratio", 1.5),
            new("since", new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc)),
            new("at", new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.FromHours(2))),
            new("tier", new[] { "gold", "silver" }),
            new("skipped", null),
        };
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var uri = RequestRules.WithQuery(RequestRules.Resolve(Base, "/gamification/gifts?limit=5"), query);
            Assert.Equal("?limit=5&name=a%26b%3Dc%20d&active=true&ratio=1.5&since=2026-11-29T10%3A00%3A00Z&at=2026-11-29T10%3A00%3A00Z&tier=gold&tier=silver", uri.Query);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void WithParameter_replaces_the_cursor()
    {
        var uri = RequestRules.WithParameter(new Uri("https://api.example.com/v2/gamification/gifts?limit=7&cursor=c1"), "cursor", "c2.x/y");
        Assert.Equal("?limit=7&cursor=c2.x%2Fy", uri.Query);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("authorization")]
    [InlineData("Idempotency-Key")]
    [InlineData("IDEMPOTENCY-KEY")]
    [InlineData("Host")]
    [InlineData("Content-Length")]
    public void Reserved_headers_are_refused(string name)
    {
        var error = Assert.Throws<SocialOsInputException>(() => RequestRules.CheckHeader(name, "x"));
        Assert.Equal("HeaderNotAllowed", error.ErrorId);
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("X:Y")]
    [InlineData("")]
    public void Malformed_header_names_are_refused(string name)
    {
        Assert.Equal("InvalidHeader", Assert.Throws<SocialOsInputException>(() => RequestRules.CheckHeader(name, "x")).ErrorId);
        Assert.Equal("InvalidHeader", Assert.Throws<SocialOsInputException>(() => RequestRules.CheckHeader("X-Ok", "a\r\nb")).ErrorId);
    }

    // ---- SendAsync through the transport ----------------------------------------------------

    private static RetryPolicy NoWaits(int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        Delay = (_, _) => Task.CompletedTask,
    };

    [Fact]
    public async Task A_leading_slash_path_goes_under_the_base_path_with_the_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(new Uri(server.BaseUri, "v2/"));

        var response = await Bounded.Within(client.SendAsync(HttpMethod.Get, "/gamification/gifts/gift_w3lc?x=1"), Limit, "a GET");

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.IsJson);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v2/gamification/gifts/gift_w3lc?x=1", request.Target);
        Assert.Equal("Bearer " + Clients.Key, request.Header("Authorization"));
        Assert.Null(request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_post_keeps_its_key_across_retries_and_added_headers_go_along()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, CannedResponse.Json(200, Examples.Gift)));
        using var client = Clients.Create(server.BaseUri, retry: NoWaits());

        var response = await Bounded.Within(client.SendAsync(HttpMethod.Post, "gamification/gifts", new byte[] { (byte)'{', (byte)'}' }, "key-1",
            new[] { new KeyValuePair<string, string>("X-Trace", "t1") }), Limit, "a POST");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("key-1", r.Header("Idempotency-Key")));
        Assert.All(server.Requests, r => Assert.Equal("t1", r.Header("X-Trace")));
        Assert.All(server.Requests, r => Assert.Equal("{}", r.BodyText));
    }

    [Fact]
    public async Task A_post_without_a_key_gets_a_fresh_one()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(server.BaseUri);

        await Bounded.Within(client.SendAsync(HttpMethod.Post, "gamification/gifts", new byte[] { (byte)'{', (byte)'}' }), Limit, "a POST");

        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(server.Requests).Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_patch_is_not_sent_again_after_a_dropped_connection_and_its_outcome_is_unknown()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, CannedResponse.Json(200, Examples.Gift)));
        using var client = Clients.Create(server.BaseUri, retry: NoWaits());

        var error = await Bounded.Throws<SocialOsException>(() => client.SendAsync(new HttpMethod("PATCH"), "gamification/gifts/gift_w3lc", new byte[] { (byte)'{', (byte)'}' }), Limit, "a dropped PATCH");

        Assert.Single(server.Requests);
        Assert.Equal(CallOutcome.Unknown, error.Outcome);
        Assert.Null(error.IdempotencyKey);
        Assert.Contains("Check at the server", error.Message);
    }

    [Fact]
    public async Task A_patch_is_retried_after_a_503_which_did_nothing()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Problem(503, """{ "status": 503 }"""), CannedResponse.Json(200, Examples.Gift)));
        using var client = Clients.Create(server.BaseUri, retry: NoWaits());

        var response = await Bounded.Within(client.SendAsync(new HttpMethod("PATCH"), "gamification/gifts/gift_w3lc", new byte[] { (byte)'{', (byte)'}' }), Limit, "a PATCH after 503");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_delete_is_retried_after_a_dropped_connection()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, CannedResponse.Json(200, Examples.Gift)));
        using var client = Clients.Create(server.BaseUri, retry: NoWaits());

        var response = await Bounded.Within(client.SendAsync(HttpMethod.Delete, "gamification/gifts/gift_w3lc"), Limit, "a dropped DELETE");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Refusals_happen_before_anything_is_sent()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(server.BaseUri);

        Assert.Equal("InvalidPath", (await Assert.ThrowsAsync<SocialOsInputException>(() => client.SendAsync(HttpMethod.Get, "https://elsewhere.example.com/x"))).ErrorId);
        Assert.Equal("HeaderNotAllowed", (await Assert.ThrowsAsync<SocialOsInputException>(() => client.SendAsync(HttpMethod.Get, "/x",
            headers: new[] { new KeyValuePair<string, string>("Authorization", "Bearer other") }))).ErrorId);
        Assert.Equal("IdempotencyKeyNotApplicable", (await Assert.ThrowsAsync<SocialOsInputException>(() => client.SendAsync(new HttpMethod("PATCH"), "/x", null, "k"))).ErrorId);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_problem_answer_is_the_same_exception_as_a_typed_call_gets()
    {
        const string problem = """{ "type": "https://docs.socialos.io/errors/validation", "title": "Invalid request", "status": 400, "detail": "tier must be one of bronze, silver, gold, platinum", "errors": { "tier": ["must be one of bronze, silver, gold, platinum"] } }""";
        await using var server = new RawHttpServer(CannedResponse.Problem(400, problem, "X-Request-Id: req_400"));
        using var client = Clients.Create(server.BaseUri);

        var raw = await Bounded.Throws<SocialOsException>(() => client.SendAsync(HttpMethod.Post, "gamification/gifts", new byte[] { (byte)'{', (byte)'}' }), Limit, "a raw 400");
        var typed = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(new NewGiftRequest { Name = "x", Tier = "gold", Reward = 1 }), Limit, "a typed 400");

        Assert.Equal(typed.StatusCode, raw.StatusCode);
        Assert.Equal(typed.Detail, raw.Detail);
        Assert.Equal(typed.Errors.Keys, raw.Errors.Keys);
        Assert.Equal("req_400", raw.RequestId);
        Assert.Equal(typed.Outcome, raw.Outcome);
    }
}
