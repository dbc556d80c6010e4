using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>401, 404, 405 as problem details; X-Request-Id and the rate-limit headers on every
/// response.</summary>
public sealed class ProtocolTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public ProtocolTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    private static HttpRequestMessage Request(HttpMethod method, string path, string? authorization = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    public static TheoryData<string, string, string?> Unauthorized() => new()
    {
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", null },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Bearer wrong-key" },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Bearer K1x" },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Bearer k1" },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Bearer " },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Basic SzE6" },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "K1" },
        { "GET", "/v2/analytics?type=currency&metric=gifts_redeemed&window=7d", "Bearer " + new string('k', 5000) },
        { "POST", "/v2/gamification/gifts", null },
        { "POST", "/v2/gamification/score", "Bearer nope" },
        { "GET", "/v2/gamification/gifts", null },
        { "GET", "/v2/gamification/gifts/gift_abc", "Bearer nope" },
        { "GET", "/v2/gamification/score/alice", null },
        { "GET", "/v2/no-such-route", null },
    };

    [Theory]
    [MemberData(nameof(Unauthorized))]
    public async Task Missing_or_wrong_key_is_401_with_WWW_Authenticate_Bearer(string method, string path, string? authorization)
    {
        var json = method == "POST" ? SandboxCalls.GiftBody() : null;

        var answer = await _sandbox.Server.Anonymous.ExchangeAsync(Request(new HttpMethod(method), path, authorization, json));

        answer.Is(401);
        var challenge = answer.Header("WWW-Authenticate");
        Assert.NotNull(challenge);
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_post_applies_nothing()
    {
        var user = Ids.User("unauth");
        var answer = await _sandbox.Server.Anonymous.ExchangeAsync(Request(HttpMethod.Post, SandboxCalls.Score, "Bearer nope", SandboxCalls.ScoreBody(user, 5)));
        answer.Is(401);

        Assert.Null(await _sandbox.Client1.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Bearer_scheme_is_case_insensitive()
    {
        var answer = await _sandbox.Server.Anonymous.ExchangeAsync(Request(HttpMethod.Get, SandboxCalls.Gifts, "bearer K1"));

        answer.IsOk();
    }

    [Theory]
    [InlineData("GET", "/v2/no-such-route")]
    [InlineData("GET", "/v2")]
    [InlineData("GET", "/v2/gamification")]
    [InlineData("GET", "/v2/gamification/gifts/gift_abc/extra")]
    [InlineData("POST", "/v2/analytics/more")]
    [InlineData("GET", "/v1/gamification/gifts")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/nothing-here")]
    public async Task Unknown_route_is_404_problem(string method, string path)
    {
        var answer = await _sandbox.Client1.ExchangeAsync(Request(new HttpMethod(method), path));

        answer.Is(404, "not-found");
    }

    /// <summary>The contract: every non-2xx is application/problem+json, and an unknown route is a
    /// 404. Paths that look like file names must not fall through to an empty 404.</summary>
    [Theory]
    [InlineData("/v2/gamification/gifts.json")]
    [InlineData("/v2/report.csv")]
    [InlineData("/favicon.ico")]
    public async Task Unknown_route_that_looks_like_a_file_is_404_problem(string path)
    {
        var answer = await _sandbox.Client1.ExchangeAsync(Request(HttpMethod.Get, path));

        answer.Is(404, "not-found");
    }

    [Fact]
    public async Task Missing_gift_is_404_problem()
    {
        (await _sandbox.Client1.FetchAsync($"{SandboxCalls.Gifts}/gift_missing00000")).Is(404, "not-found");
    }

    [Theory]
    [InlineData("DELETE", "/v2/analytics", new[] { "GET" })]
    [InlineData("POST", "/v2/analytics", new[] { "GET" })]
    [InlineData("PUT", "/v2/gamification/gifts", new[] { "GET", "POST" })]
    [InlineData("DELETE", "/v2/gamification/gifts", new[] { "GET", "POST" })]
    [InlineData("PATCH", "/v2/gamification/gifts/gift_abc", new[] { "GET" })]
    [InlineData("DELETE", "/v2/gamification/gifts/gift_abc", new[] { "GET" })]
    [InlineData("GET", "/v2/gamification/score", new[] { "POST" })]
    [InlineData("PUT", "/v2/gamification/score", new[] { "POST" })]
    [InlineData("POST", "/v2/gamification/score/alice", new[] { "GET" })]
    [InlineData("POST", "/health", new[] { "GET", "HEAD" })]
    public async Task Wrong_method_on_a_known_route_is_405_with_Allow(string method, string path, string[] allowed)
    {
        var answer = await _sandbox.Client1.ExchangeAsync(Request(new HttpMethod(method), path));

        answer.Is(405);
        var allow = answer.Header("Allow");
        Assert.NotNull(allow);
        var methods = allow!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(allowed.OrderBy(m => m, StringComparer.Ordinal), methods.OrderBy(m => m, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_response_has_a_distinct_request_id_and_rate_limit_headers()
    {
        var client = _sandbox.Client1;
        var answers = new List<Answer>
        {
            await _sandbox.Server.Anonymous.FetchAsync("/health"),
            await client.CreateGiftAsync(),
            await client.PostJsonAsync(SandboxCalls.Gifts, "{}"),
            await client.ScoreAsync(Ids.User("hdr"), 1),
            await client.FetchAsync(SandboxCalls.Gifts + "?limit=1"),
            await client.FetchAsync("/v2/analytics?type=leaderboard"),
            await client.FetchAsync("/v2/nowhere"),
            await _sandbox.Server.Anonymous.FetchAsync(SandboxCalls.Gifts),
            await client.ExchangeAsync(Request(HttpMethod.Delete, SandboxCalls.Analytics)),
            await client.PostBytesAsync(SandboxCalls.Gifts, Encoding.UTF8.GetBytes("{}"), "text/plain"),
        };
        Assert.Contains(answers, a => a.Status == 200);
        Assert.Contains(answers, a => a.Status >= 400);

        foreach (var answer in answers)
        {
            Assert.False(string.IsNullOrWhiteSpace(answer.RequestId), answer.ToString());
            Assert.NotNull(answer.Header("X-RateLimit-Remaining"));
            Assert.NotNull(answer.Header("X-RateLimit-Reset"));
        }
        Assert.Equal(answers.Count, answers.Select(a => a.RequestId).Distinct(StringComparer.Ordinal).Count());
        // The same request twice gets two ids.
        var again = await client.FetchAsync(SandboxCalls.Gifts + "?limit=1");
        Assert.NotEqual(answers[4].RequestId, again.RequestId);
    }

    [Fact]
    public async Task Problem_body_is_the_rfc_9457_shape_with_errors_for_validation()
    {
        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, """{"name":"Gift","tier":"diamond","reward":1}""");

        var problem = answer.Is(400, "validation", "tier");
        Assert.Equal("application/problem+json", answer.MediaType);
        Shape.Exactly(problem, ("type", Kind.String), ("title", Kind.String), ("status", Kind.Integer), ("detail", Kind.String), ("errors", Kind.Object));
        Assert.Equal(400, problem.Int("status"));
        Assert.Contains("tier", problem.Str("detail"), StringComparison.Ordinal);
        var messages = problem.GetProperty("errors").GetProperty("tier");
        Assert.True(messages.GetArrayLength() >= 1);
    }
}
