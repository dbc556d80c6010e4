using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The retry handler in the SocialOsHttp chain, against the raw server. The waits go
/// through RetryPolicy.Delay, which these tests replace to record them instead of sleeping.</summary>
public sealed class RetryTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static NewGiftRequest AGift => new() { Name = "Welcome Pack", Tier = "gold", Reward = 500 };

    private static CannedResponse GiftOk => CannedResponse.Json(200, Examples.Gift, "X-Request-Id: req_ok");

    private static CannedResponse Status(int status, params string[] headers) =>
        CannedResponse.Problem(status, $$"""{ "title": "T{{status}}", "status": {{status}} }""", headers);

    /// <summary>A policy whose waits are recorded, not slept.</summary>
    private static RetryPolicy Recording(ConcurrentQueue<TimeSpan> waits, int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        Delay = (delay, _) =>
        {
            waits.Enqueue(delay);
            return Task.CompletedTask;
        },
    };

    [Fact]
    public async Task A_post_is_retried_with_the_same_idempotency_key_and_body()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503, "Retry-After: 1"), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits));

        var gift = await client.CreateGiftAsync(AGift);

        Assert.Equal("gift_w3lc", gift.GiftId);
        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Header("Idempotency-Key"), requests[1].Header("Idempotency-Key"));
        Assert.False(string.IsNullOrEmpty(requests[0].Header("Idempotency-Key")));
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.All(requests, r => Assert.Equal($"Bearer {Clients.Key}", r.Header("Authorization")));
        Assert.All(requests, r => Assert.Equal("/v2/gamification/gifts", r.Target));
        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, waits.ToArray());
    }

    [Fact]
    public async Task A_given_idempotency_key_is_kept_across_retries()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503), Status(502), CannedResponse.Json(200, Examples.Score)));
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Value = 500 }, "row-17");

        Assert.Equal(new[] { "row-17", "row-17", "row-17" }, server.Requests.Select(r => r.Header("Idempotency-Key")).ToArray());
    }

    [Fact]
    public async Task Separate_calls_get_separate_keys_even_with_retries()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503), GiftOk, Status(503), GiftOk));
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        await client.CreateGiftAsync(AGift);
        await client.CreateGiftAsync(AGift);

        var keys = server.Requests.Select(r => r.Header("Idempotency-Key")).ToArray();
        Assert.Equal(4, keys.Length);
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(keys[2], keys[3]);
        Assert.NotEqual(keys[0], keys[2]);
    }

    [Fact]
    public async Task A_get_is_retried()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(500), CannedResponse.Json(200, Examples.Audit)));
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        var report = await client.GetCurrencyAuditAsync("gifts_redeemed", "7d");

        Assert.Equal(142, report.Summary.TotalGifts);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Null(r.Header("Idempotency-Key")));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Transient_statuses_are_retried(int status)
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(status), GiftOk));
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        var gift = await client.CreateGiftAsync(AGift);

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(413)]
    [InlineData(422)]
    [InlineData(501)]
    public async Task Final_statuses_are_not_retried(int status)
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(status), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits));

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.CreateGiftAsync(AGift));

        Assert.Equal(status, error.StatusCode);
        Assert.Single(server.Requests);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Retries_stop_after_max_retries_with_the_last_status()
    {
        await using var server = new RawHttpServer(Status(503, "X-Request-Id: req_busy", "Retry-After: 2"));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits, maxRetries: 3));

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.CreateGiftAsync(AGift));

        Assert.Equal(503, error.StatusCode);
        Assert.Equal("req_busy", error.RequestId);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.Equal(4, server.Requests.Count);
        Assert.Single(server.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(2), 3), waits.ToArray());
    }

    [Fact]
    public async Task Max_retries_0_turns_retrying_off()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits, maxRetries: 0));

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.CreateGiftAsync(AGift));

        Assert.Equal(503, error.StatusCode);
        Assert.Single(server.Requests);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Retry_after_seconds_is_honoured()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(429, "Retry-After: 7"), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits));

        await client.CreateGiftAsync(AGift);

        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, waits.ToArray());
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured_up_to_max_delay()
    {
        var soon = DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        var late = DateTimeOffset.UtcNow.AddHours(1).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503, "Retry-After: " + soon), Status(429, "Retry-After: " + late), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits));

        await client.CreateGiftAsync(AGift);

        var recorded = waits.ToArray();
        Assert.Equal(2, recorded.Length);
        Assert.InRange(recorded[0], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal(new RetryPolicy().MaxDelay, recorded[1]);
    }

    [Fact]
    public async Task A_429_without_retry_after_waits_for_x_ratelimit_reset()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(429, "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 3"), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Clients.Create(server.BaseUri, retry: Recording(waits));

        await client.CreateGiftAsync(AGift);

        Assert.Equal(new[] { TimeSpan.FromSeconds(3) }, waits.ToArray());
    }

    [Fact]
    public async Task Without_a_hint_the_backoff_doubles_with_jitter()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(500), Status(502), Status(504), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        var policy = Recording(waits);
        policy.BaseDelay = TimeSpan.FromSeconds(0.8);
        using var client = Clients.Create(server.BaseUri, retry: policy);

        await client.CreateGiftAsync(AGift);

        var recorded = waits.ToArray();
        Assert.Equal(3, recorded.Length);
        for (var i = 0; i < 3; i++)
        {
            var full = 0.8 * Math.Pow(2, i);
            Assert.InRange(recorded[i].TotalSeconds, full / 2 - 0.001, full + 0.001);
        }
    }

    [Fact]
    public async Task A_wait_past_the_budget_is_not_started()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(429, "Retry-After: 7", "X-Request-Id: req_429"), GiftOk));
        var waits = new ConcurrentQueue<TimeSpan>();
        var policy = Recording(waits);
        policy.Budget = TimeSpan.FromSeconds(2);
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, retry: policy, log: log);

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.CreateGiftAsync(AGift));

        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Single(server.Requests);
        Assert.Empty(waits);
        Assert.Contains(log.VerboseLines, l => l.StartsWith("Not retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_with_the_same_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, GiftOk));
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        var gift = await Bounded.Within(client.CreateGiftAsync(AGift), Limit, "a retried drop");

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(server.Requests[0].Header("Idempotency-Key"), server.Requests[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task Dropped_connections_every_time_end_as_status_0()
    {
        await using var server = new RawHttpServer(CannedResponse.Drop);
        using var client = Clients.Create(server.BaseUri, retry: Recording(new ConcurrentQueue<TimeSpan>(), maxRetries: 2));

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "dropped every time");

        Assert.Equal(0, error.StatusCode);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried_with_the_same_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.NoAnswer, GiftOk));
        using var client = Clients.Create(server.BaseUri, timeout: TimeSpan.FromSeconds(1), retry: Recording(new ConcurrentQueue<TimeSpan>()));

        var gift = await Bounded.Within(client.CreateGiftAsync(AGift), Limit, "a retried timeout");

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(server.Requests[0].Header("Idempotency-Key"), server.Requests[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task Timeouts_every_time_end_as_status_0_with_a_timeout_exception()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        using var client = Clients.Create(server.BaseUri, timeout: TimeSpan.FromSeconds(1), retry: Recording(new ConcurrentQueue<TimeSpan>(), maxRetries: 1));

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "timeouts every time");

        Assert.Equal(0, error.StatusCode);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task The_callers_cancellation_during_a_backoff_is_an_operation_canceled_exception()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503, "Retry-After: 30"), GiftOk));
        var log = new RecordingLog();
        // Real waits here: the cancellation must end a real 30 s wait.
        using var client = Clients.Create(server.BaseUri, log: log, retry: new RetryPolicy { MaxRetries = 3 });
        using var cancel = new CancellationTokenSource();

        var call = client.CreateGiftAsync(AGift, cancellationToken: cancel.Token);
        await log.WaitForVerboseAsync(l => l.StartsWith("Retrying", StringComparison.Ordinal));
        cancel.Cancel();

        var finished = await Task.WhenAny(call, Task.Delay(Limit));
        Assert.Same(call, finished);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.IsNotType<SocialOsException>(error);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Every_attempt_and_every_retry_is_logged()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Status(503, "Retry-After: 0", "X-Request-Id: req_a1"), CannedResponse.Json(200, Examples.Gift, "X-Request-Id: req_a2")));
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, log: log, retry: Recording(new ConcurrentQueue<TimeSpan>()));

        await client.CreateGiftAsync(AGift);

        // Every line names the item and its key, so concurrent lines can be matched to rows.
        var line = $"POST http://127.0.0.1:{server.Port}/v2/gamification/gifts [gift 'Welcome Pack', key {server.Requests[0].Header("Idempotency-Key")}]";
        var lines = log.VerboseLines;
        Assert.Equal(2, lines.Count(l => l == line));
        Assert.Contains(lines, l => l.StartsWith(line + " -> 503", StringComparison.Ordinal) && l.Contains("req_a1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Retrying " + line, StringComparison.Ordinal) && l.Contains("retry 1 of 3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(line + " -> 200", StringComparison.Ordinal) && l.Contains("req_a2", StringComparison.Ordinal));
        Assert.DoesNotContain(Clients.Key, log.All);
    }

    [Theory]
    [InlineData(429, false, true)]
    [InlineData(503, false, true)]
    [InlineData(409, false, true)]
    [InlineData(500, true, true)]
    [InlineData(500, false, false)]
    [InlineData(502, false, false)]
    [InlineData(400, true, false)]
    public void Retry_reasons_follow_the_documented_rules(int status, bool idempotent, bool retried)
    {
        using var response = new System.Net.Http.HttpResponseMessage((System.Net.HttpStatusCode)status);

        Assert.Equal(retried, RetryHandler.RetryReason(response, idempotent) is not null);
    }
}
