using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>How failures come back: every HTTP or transport failure is a SocialOsException
/// (status 0 when there was no HTTP answer); only the caller's own cancellation is not.</summary>
public sealed class ErrorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static NewGiftRequest AGift => new() { Name = "Welcome Pack", Tier = "gold", Reward = 500 };

    private static async Task<SocialOsException> Fails(CannedResponse response, Func<SocialOsClient, Task> call)
    {
        await using var server = new RawHttpServer(response);
        using var client = Clients.Create(server.BaseUri);
        return await Bounded.Throws<SocialOsException>(() => call(client), Limit, "the failing call");
    }

    private static Task<SocialOsException> GiftFails(CannedResponse response) => Fails(response, c => c.CreateGiftAsync(AGift));

    [Fact]
    public async Task A_validation_problem_maps_every_field()
    {
        var error = await GiftFails(CannedResponse.Problem(400, Examples.ValidationProblem, "X-Request-Id: req_7f3a9c"));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("https://docs.socialos.io/errors/validation", error.ProblemType);
        Assert.Equal("Invalid request", error.Title);
        Assert.Equal("tier must be one of bronze, silver, gold, platinum", error.Detail);
        Assert.Equal(new[] { "must be one of bronze, silver, gold, platinum" }, error.Errors["tier"]);
        Assert.Equal("tier", error.FieldNames);
        Assert.Equal("req_7f3a9c", error.RequestId);
        Assert.Equal("POST", error.Method);
        Assert.Equal("/v2/gamification/gifts", error.RequestUri!.AbsolutePath);
        Assert.Contains("tier must be one of bronze, silver, gold, platinum", error.Message);
        Assert.Contains("400", error.Message);
        Assert.Contains("req_7f3a9c", error.Message);
        Assert.Null(error.RetryAfter);
        Assert.Null(error.InnerException);
    }

    [Theory]
    [InlineData(401, "unauthorized", "Missing or invalid API key")]
    [InlineData(404, "not-found", "No gift gift_zz")]
    [InlineData(409, "conflict", "The first request with this Idempotency-Key is still running")]
    [InlineData(422, "unprocessable", "The Idempotency-Key was used with another body")]
    [InlineData(429, "quota-exceeded", "Too many requests; retry after 7 s")]
    public async Task Problem_statuses_map_to_the_exception(int status, string type, string detail)
    {
        var body = $$"""{ "type": "https://docs.socialos.io/errors/{{type}}", "title": "T{{status}}", "status": {{status}}, "detail": "{{detail}}" }""";
        var error = await GiftFails(CannedResponse.Problem(status, body, "X-Request-Id: req_" + status, "Retry-After: 7", "WWW-Authenticate: Bearer"));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal($"https://docs.socialos.io/errors/{type}", error.ProblemType);
        Assert.Equal($"T{status}", error.Title);
        Assert.Equal(detail, error.Detail);
        Assert.Empty(error.Errors);
        Assert.Equal("req_" + status, error.RequestId);
        Assert.Contains(detail, error.Message);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), error.Message);
        Assert.Contains("req_" + status, error.Message);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task A_problem_without_detail_uses_its_title()
    {
        var error = await GiftFails(CannedResponse.Problem(404, """{ "title": "Not found", "status": 404 }""", "X-Request-Id: req_nf"));

        Assert.Equal(404, error.StatusCode);
        Assert.Null(error.Detail);
        Assert.Contains("Not found", error.Message);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public async Task Retry_after_seconds_on_a_429()
    {
        var error = await GiftFails(CannedResponse.Problem(429,
            """{ "type": "https://docs.socialos.io/errors/quota-exceeded", "title": "Too many requests", "status": 429 }""",
            "Retry-After: 7"));

        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("none", error.RequestId ?? "none");
        Assert.Contains("request id none", error.Message);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date()
    {
        var at = DateTimeOffset.UtcNow.AddHours(1);
        var error = await GiftFails(CannedResponse.Problem(429,
            """{ "title": "Too many requests", "status": 429 }""",
            "Retry-After: " + at.ToString("r", CultureInfo.InvariantCulture)));

        Assert.NotNull(error.RetryAfter);
        // The date has whole seconds and some time passes before it is read: about an hour.
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(60));
    }

    [Fact]
    public async Task Retry_after_as_a_past_http_date_is_zero()
    {
        var error = await GiftFails(CannedResponse.Problem(503,
            """{ "title": "Down", "status": 503 }""",
            "Retry-After: " + DateTimeOffset.UtcNow.AddHours(-1).ToString("r", CultureInfo.InvariantCulture)));

        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
    }

    [Fact]
    public async Task An_html_502_page_shows_its_text_and_the_status()
    {
        const string page = "<html><head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        var error = await GiftFails(CannedResponse.Text(502, "text/html", page, "X-Request-Id: req_gw"));

        Assert.Equal(502, error.StatusCode);
        Assert.Null(error.ProblemType);
        Assert.Null(error.Detail);
        Assert.Empty(error.Errors);
        Assert.Contains("<html><head><title>502 Bad Gateway</title></head>", error.Message);
        Assert.Contains("502", error.Message);
        Assert.Contains("req_gw", error.Message);
        Assert.DoesNotContain("\r", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public async Task A_long_html_page_is_cut_short_in_the_message()
    {
        var page = "<html><body>" + new string('x', 5000) + "</body></html>";
        var error = await GiftFails(CannedResponse.Text(502, "text/html; charset=utf-8", page));

        Assert.Equal(502, error.StatusCode);
        Assert.Contains("<html><body>xxx", error.Message);
        Assert.True(error.Message.Length < 1000, error.Message);
    }

    [Fact]
    public async Task An_empty_500_says_so()
    {
        var error = await GiftFails(CannedResponse.Empty(500, "X-Request-Id: req_500"));

        Assert.Equal(500, error.StatusCode);
        Assert.Null(error.ProblemType);
        Assert.Contains("500", error.Message);
        Assert.Contains("no body", error.Message);
        Assert.Contains("req_500", error.Message);
    }

    [Fact]
    public async Task A_text_plain_503_shows_its_text()
    {
        var error = await GiftFails(CannedResponse.Text(503, "text/plain; charset=utf-8", "Down for maintenance until 15:00 UTC", "Retry-After: 120"));

        Assert.Equal(503, error.StatusCode);
        Assert.Contains("Down for maintenance until 15:00 UTC", error.Message);
        Assert.Contains("503", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
    }

    [Fact]
    public async Task A_malformed_problem_body_still_gives_the_status()
    {
        var error = await GiftFails(CannedResponse.Problem(500, """{ "type": "https://docs.socialos.io/errors/internal", "title": """, "X-Request-Id: req_bad"));

        Assert.Equal(500, error.StatusCode);
        Assert.Null(error.ProblemType);
        Assert.Null(error.Title);
        Assert.Contains("500", error.Message);
        Assert.Contains("req_bad", error.Message);
        Assert.Contains("errors/internal", error.Message);
    }

    [Fact]
    public async Task A_problem_with_wrong_types_still_gives_the_status()
    {
        var error = await GiftFails(CannedResponse.Problem(400, """{ "title": 5, "status": "four hundred", "errors": ["tier"] }"""));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("400", error.Message);
    }

    [Fact]
    public async Task A_200_with_an_html_body_is_an_error_with_the_status()
    {
        var error = await GiftFails(CannedResponse.Text(200, "text/html", "<html><body>Welcome to the captive portal</body></html>", "X-Request-Id: req_html"));

        Assert.Equal(200, error.StatusCode);
        Assert.IsType<JsonException>(error.InnerException, exactMatch: false);
        Assert.Contains("200", error.Message);
        Assert.Contains("captive portal", error.Message);
        Assert.Equal("req_html", error.RequestId);
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("""{ "gift_id": 42, "name": "A" }""")]
    [InlineData("""{ "gift_id": "gift_a", "reward": "500" }""")]
    [InlineData("""{ "gift_id": "gift_a", "reward": 500.5 }""")]
    [InlineData("""{ "gift_id": "gift_a", "badge_included": "yes" }""")]
    public async Task A_200_whose_body_is_not_the_gift_json_is_an_error_with_the_status(string body)
    {
        var error = await GiftFails(CannedResponse.Json(200, body));

        Assert.Equal(200, error.StatusCode);
        Assert.Contains("200", error.Message);
    }

    /// <summary>A timestamp field that is not RFC 3339 is a body that is not the expected JSON.</summary>
    [Theory]
    [InlineData("expires", "next tuesday")]
    [InlineData("created_at", "yesterday")]
    public async Task A_200_with_an_unreadable_gift_timestamp_is_an_error_with_the_status(string field, string value)
    {
        var body = field == "expires"
            ? $$"""{ "gift_id": "gift_t", "name": "T", "tier": "gold", "reward": 5, "badge_included": false, "expires": "{{value}}", "created_at": "2026-02-20T14:00:00Z" }"""
            : $$"""{ "gift_id": "gift_t", "name": "T", "tier": "gold", "reward": 5, "badge_included": false, "expires": null, "created_at": "{{value}}" }""";

        var error = await GiftFails(CannedResponse.Json(200, body, "X-Request-Id: req_ts"));

        Assert.Equal(200, error.StatusCode);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public async Task A_200_with_an_unreadable_score_timestamp_is_an_error_with_the_status()
    {
        var error = await Fails(CannedResponse.Json(200,
                """{ "userId": "alice.kred", "metric": "tier", "previous": 200, "current": 700, "tier_name": "gold", "rank": 5, "updated_at": "soon" }"""),
            c => c.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Value = 500 }));

        Assert.Equal(200, error.StatusCode);
    }

    [Theory]
    [InlineData("""{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": { "total_gifts": 1, "total_value": 2, "unique_recipients": 1, "top_tier": "gold" }, "daily": [ { "date": "20.02.2026", "count": 1, "value": 2 } ] }""")]
    [InlineData("""{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": { "total_gifts": 1, "total_value": 2, "unique_recipients": 1, "top_tier": "gold" }, "daily": [ { "date": null, "count": 1, "value": 2 } ] }""")]
    [InlineData("""{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": null, "daily": [] }""")]
    [InlineData("""{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": { "total_gifts": 0 }, "daily": null }""")]
    [InlineData("""{ "type": "currency", "metric": "gifts_redeemed", "window": "7d", "summary": { "total_gifts": 0 }, "daily": [ null ] }""")]
    public async Task A_200_audit_body_that_is_not_the_expected_json_is_an_error_with_the_status(string body)
    {
        var error = await Fails(CannedResponse.Json(200, body), c => c.GetCurrencyAuditAsync("gifts_redeemed", "7d"));

        Assert.Equal(200, error.StatusCode);
    }

    [Fact]
    public async Task Connection_refused_is_status_0_naming_the_host()
    {
        using var closed = new ClosedPort();
        var port = closed.Port;
        using var client = Clients.Create(new Uri($"http://127.0.0.1:{port}/v2"));

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "connect to a closed port");

        Assert.Equal(0, error.StatusCode);
        Assert.Null(error.RequestId);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException, exactMatch: false);
        Assert.Equal("POST", error.Method);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_status_0()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        using var client = Clients.Create(server.BaseUri, timeout: TimeSpan.FromSeconds(1));

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "a server that never answers");

        Assert.Equal(0, error.StatusCode);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message);
        Assert.Single(server.Requests);
    }

    /// <summary>A server that sends its headers and then stalls in the body must not hang the call
    /// forever: it has to end as a transport failure (status 0, a timeout) like a server that
    /// never answers. (Options.Timeout now says "until the response headers arrive", and nothing
    /// else bounds the body read.)</summary>
    [Fact]
    public async Task A_server_that_stalls_in_the_body_does_not_hang_the_call()
    {
        await using var server = new RawHttpServer(CannedResponse.HeadersThenStall(200, "application/json", """{ "gift_id": "gift_w3""", 4096));
        using var client = Clients.Create(server.BaseUri, timeout: TimeSpan.FromSeconds(1));

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), TimeSpan.FromSeconds(6), "a body that never ends");

        Assert.Equal(0, error.StatusCode);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task The_callers_cancellation_is_an_operation_canceled_exception()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        using var client = Clients.Create(server.BaseUri);
        using var cancel = new CancellationTokenSource();

        var call = client.CreateGiftAsync(AGift, cancellationToken: cancel.Token);
        await server.NextRequestAsync();
        cancel.Cancel();

        var finished = await Task.WhenAny(call, Task.Delay(Limit));
        Assert.Same(call, finished);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.IsNotType<SocialOsException>(error);
    }

    [Fact]
    public async Task An_already_canceled_token_is_an_operation_canceled_exception()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Audit));
        using var client = Clients.Create(server.BaseUri);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetCurrencyAuditAsync("gifts_redeemed", "7d", new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task The_callers_cancellation_during_a_stalled_body_is_an_operation_canceled_exception()
    {
        await using var server = new RawHttpServer(CannedResponse.HeadersThenStall(200, "application/json", """{ "gift_id": "gift_w3""", 4096));
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, log: log);
        using var cancel = new CancellationTokenSource();

        var call = client.CreateGiftAsync(AGift, cancellationToken: cancel.Token);
        // The diagnostics handler logs the status line once the headers are in: the client is now reading the body.
        await log.WaitForVerboseAsync(line => line.Contains("-> 200", StringComparison.Ordinal));
        cancel.Cancel();

        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.True(finished == call, "The call was still running 5 s after the caller canceled it.");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }
}
