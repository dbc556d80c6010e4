using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Issue 12 point 5 and the small things of point 6: every field error at once,
/// fingerprints over JSON content, ignored properties named, 409 with Retry-After.</summary>
public sealed class RequestRuleTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public RequestRuleTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task A_gift_body_with_four_bad_fields_lists_all_four()
    {
        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, """{"name":"  ","tier":"diamond","reward":0,"badge":"yes","expires":"2099-03-20T00:00:00Z"}""");

        var problem = answer.Is(400, "validation");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "name", "tier", "reward", "badge" }, fields);
        Assert.StartsWith("4 fields are invalid: name ", problem.Str("detail"), StringComparison.Ordinal);
        foreach (var field in fields) Assert.Contains(field + " must", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_score_body_with_every_field_wrong_lists_each_and_cross_field_rules_wait_for_a_valid_action()
    {
        var all = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Score, """{"userId":"a b","metric":"xp","action":"steal","value":1.5,"giftId":"nope"}""");
        var fields = all.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "userId", "metric", "action", "value", "giftId" }, fields);

        var crossed = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Score, """{"userId":"ok","metric":"tier","action":"adjustment","value":0,"giftId":"gift_abc"}""");
        var errors = crossed.Is(400, "validation").GetProperty("errors");
        Assert.Equal(new[] { "value", "giftId" }, errors.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task One_bad_field_reads_as_before_and_duplicate_properties_are_all_named()
    {
        var one = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, SandboxCalls.GiftBody(tier: "diamond"));
        Assert.Equal("tier must be one of bronze, silver, gold, platinum", one.Is(400, "validation", "tier").Str("detail"));

        var duplicates = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, """{"name":"a","name":"b","tier":"gold","tier":"gold","reward":1}""");
        var errors = duplicates.Is(400, "validation").GetProperty("errors");
        Assert.Equal(new[] { "name", "tier" }, errors.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task Every_bad_query_parameter_is_listed_too()
    {
        var list = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Gifts}?tier=diamond&active=maybe&limit=0&cursor=bad");
        Assert.Equal(new[] { "tier", "active", "limit", "cursor" }, list.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray());

        var audit = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Analytics}?type=currency&metric=coins&window=9y");
        Assert.Equal(new[] { "metric", "window" }, audit.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray());

        var board = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Analytics}?type=leaderboard&metric=xp&limit=5000");
        Assert.Equal(new[] { "metric", "limit" }, board.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray());

        var score = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Score}/a%20b?metric=xp");
        Assert.Equal(new[] { "userId", "metric" }, score.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task A_retry_re_serialised_with_other_whitespace_order_and_escapes_is_replayed()
    {
        var client = _sandbox.FreshTenant();
        var key = Ids.Key();
        var first = await client.PostJsonAsync(SandboxCalls.Score, """{"userId":"resent","metric":"tier","action":"adjustment","value":12}""", key);
        first.IsOk();

        var reordered = await client.PostJsonAsync(SandboxCalls.Score, "{\n  \"value\" : 12,\r\n  \"action\": \"adjustment\", \"metric\":\"\\u0074ier\",\t\"userId\": \"resent\"\n}\n", key);

        reordered.IsOk();
        Assert.Equal("true", reordered.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, reordered.Body);
        Assert.Equal(12, await client.CurrentScoreAsync("resent"));

        // Other content is still another request: a value, or 12.0 for 12.
        (await client.PostJsonAsync(SandboxCalls.Score, """{"userId":"resent","metric":"tier","action":"adjustment","value":13}""", key)).Is(422, field: "Idempotency-Key");
        (await client.PostJsonAsync(SandboxCalls.Score, """{"userId":"resent","metric":"tier","action":"adjustment","value":12.0}""", key)).Is(422, field: "Idempotency-Key");
        Assert.Equal(12, await client.CurrentScoreAsync("resent"));
    }

    [Fact]
    public async Task Unknown_properties_are_ignored_but_named_in_a_header()
    {
        var client = _sandbox.Client1;
        var typo = await client.PostJsonAsync(SandboxCalls.Gifts, """{"name":"Typo","tier":"gold","reward":5,"expire":"2099-01-01T00:00:00Z","Reward":6}""");
        typo.IsOk();
        Assert.Equal("expire, Reward", typo.Header("X-Ignored-Properties"));
        Assert.Null(typo.Json.GetProperty("expires").GetString());

        var clean = await client.CreateGiftAsync("Clean");
        clean.IsOk();
        Assert.Null(clean.Header("X-Ignored-Properties"));

        var score = await client.PostJsonAsync(SandboxCalls.Score, """{"userId":"ign","metric":"tier","action":"adjustment","value":1,"reason":"x"}""");
        score.IsOk();
        Assert.Equal("reason", score.Header("X-Ignored-Properties"));
    }

    [Fact]
    public async Task A_request_still_in_flight_is_409_with_Retry_After()
    {
        var tenantKey = _sandbox.FreshKey();
        var key = Ids.Key();
        using var slowClient = _sandbox.Server.NewClient(tenantKey);
        using var otherClient = _sandbox.Server.NewClient(tenantKey);
        var body = Encoding.UTF8.GetBytes(SandboxCalls.ScoreBody(Ids.User("inflight"), 4));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowRequest = new HttpRequestMessage(HttpMethod.Post, SandboxCalls.Score) { Content = new HeldContent(body, release.Task) };
        slowRequest.Headers.Add("Idempotency-Key", key);
        var slow = slowClient.ExchangeAsync(slowRequest);

        // The key is claimed from the headers on, before the body is read: wait until the
        // server has counted the first request (the claim follows in the same step).
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while ((await otherClient.FetchAsync("/_sandbox/stats")).Json.GetProperty("requests").TryGetProperty("POST /v2/gamification/score", out _) is false)
        {
            Assert.True(deadline.Elapsed < SandboxProcess.Patience, "the first request never reached the server");
            await Task.Delay(20);
        }
        var conflict = await otherClient.PostBytesAsync(SandboxCalls.Score, body, "application/json", key);

        conflict.Is(409, "conflict-in-flight");
        Assert.Equal("1", conflict.Header("Retry-After"));
        release.SetResult();
        (await slow).IsOk();
        var replay = await otherClient.PostBytesAsync(SandboxCalls.Score, body, "application/json", key);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
    }

    /// <summary>A body that sends its first byte, then waits to be released.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly Task _release;

        public HeldContent(byte[] body, Task release)
        {
            _body = body;
            _release = release;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, 1));
            await stream.FlushAsync();
            await _release;
            await stream.WriteAsync(_body.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
/// <summary>--strict-properties: an unknown property is a 400 naming it.</summary>
public sealed class StrictPropertiesTests
{
    [Fact]
    public async Task Strict_properties_refuse_a_typo_with_a_400_naming_it()
    {
        await using var server = await SandboxProcess.StartAsync(new SandboxStart { ExtraArgs = new[] { "--strict-properties" } });
        var client = server.Client("K1");

        var typo = await client.PostJsonAsync(SandboxCalls.Gifts, """{"name":"Typo","tier":"gold","reward":5,"expire":"2099-01-01T00:00:00Z"}""");
        var rule = typo.Is(400, "validation", "expire").GetProperty("errors").GetProperty("expire")[0].GetString();
        Assert.Contains("is not a property of this request", rule, StringComparison.Ordinal);
        Assert.Contains("expires", rule, StringComparison.Ordinal);

        var both = await client.PostJsonAsync(SandboxCalls.Score, """{"userId":"s","metric":"tier","action":"adjustment","value":0,"valu":1}""");
        Assert.Equal(new[] { "valu", "value" }, both.Is(400, "validation").GetProperty("errors").EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());

        (await client.CreateGiftAsync("Known fields only", expires: "2099-01-01T00:00:00Z", badge: true)).IsOk();
        await server.WaitForStdoutAsync(l => l.Contains("--strict-properties", StringComparison.Ordinal));
    }
}
