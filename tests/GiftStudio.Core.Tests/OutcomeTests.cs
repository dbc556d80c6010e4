using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using GiftStudio.Http;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>What a failed write tells its caller: whether it may have been applied, which key
/// it used, and whether to re-run it as it is or fix it; and the circuit breaker that ends a
/// bulk run against a server that is not there. Waits are recorded, never slept.</summary>
public sealed class OutcomeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private static ScoreUpdateRequest AScore => new() { UserId = "alice.kred", Action = ScoreActions.Adjustment, Value = 10 };

    private static CannedResponse ScoreOk(params string[] headers) => CannedResponse.Json(200, Examples.Score, headers);

    private static CannedResponse Injected503 => CannedResponse.Problem(503,
        """{ "title": "Service unavailable", "status": 503, "detail": "Injected fault (--faults 503): nothing was done; retry." }""", "X-Request-Id: req_503");

    private static RetryPolicy NoSleep(int maxRetries) => new() { MaxRetries = maxRetries, Delay = (_, _) => Task.CompletedTask };

    private static SocialOsClient Client(Uri baseUri, int maxRetries, CircuitBreaker? breaker = null, RecordingLog? log = null)
    {
        var options = Clients.Options(baseUri, retry: NoSleep(maxRetries), log: log);
        options.CircuitBreaker = breaker;
        return SocialOsHttp.CreateClient(options);
    }

    [Fact]
    public async Task A_dropped_answer_then_a_503_is_unknown_never_nothing_was_done()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, Injected503));
        using var client = Client(server.BaseUri, maxRetries: 1);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "drop then 503");

        Assert.Equal(CallOutcome.Unknown, error.Outcome);
        Assert.Equal(WriteRecovery.RerunAsIs, error.Recovery);
        Assert.Equal(503, error.StatusCode);
        Assert.DoesNotContain("nothing was done", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Nothing was applied", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Outcome unknown:", error.Message, StringComparison.Ordinal);
        var key = server.Requests[0].Header("Idempotency-Key");
        Assert.Equal(key, error.IdempotencyKey);
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("user alice.kred", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Attempts);
    }

    [Fact]
    public async Task Only_503s_under_a_key_made_for_the_call_mean_nothing_was_applied()
    {
        await using var server = new RawHttpServer(Injected503);
        using var client = Client(server.BaseUri, maxRetries: 2);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "503 every time");

        Assert.Equal(CallOutcome.NotApplied, error.Outcome);
        Assert.Equal(WriteRecovery.RerunAsIs, error.Recovery);
        Assert.Equal(server.Requests[0].Header("Idempotency-Key"), error.IdempotencyKey);
        Assert.Contains("nothing was done", error.Message, StringComparison.Ordinal);
        Assert.Contains("re-run it as it is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_under_a_key_that_came_with_the_row_keeps_the_outcome_unknown()
    {
        // The re-run of a row whose first call lost its answer: a 503 now proves only that
        // this call did nothing, not that the earlier call under the same key did nothing.
        await using var server = new RawHttpServer(Injected503);
        using var client = Client(server.BaseUri, maxRetries: 2);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore, "row-7"), Limit, "503 every time");

        Assert.Equal(CallOutcome.Unknown, error.Outcome);
        Assert.False(error.MayHaveBeenAppliedNow);
        Assert.Equal(WriteRecovery.RerunAsIs, error.Recovery);
        Assert.Equal("row-7", error.IdempotencyKey);
        Assert.DoesNotContain("Nothing was applied", error.Message, StringComparison.Ordinal);
        Assert.Contains("an earlier call may have sent it", error.Message, StringComparison.Ordinal);
        // What each attempt did.
        Assert.Contains("attempt 1: HTTP 503 Service Unavailable; attempt 2: HTTP 503 Service Unavailable; attempt 3: HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_for_the_rows_gift_is_a_refusal_of_the_row()
    {
        // A 404 is about the row only when the row names something (a giftId) and the server
        // does offer the routes (it answers the published audit); else the route is missing.
        await using var server = new RawHttpServer(request => request.Path.EndsWith("/analytics", StringComparison.Ordinal)
            ? CannedResponse.Json(200, """{ "type": "currency", "metric": "gifts_redeemed", "window": "1h", "summary": { "total_gifts": 0, "total_value": 0, "unique_recipients": 0, "top_tier": null }, "daily": [] }""")
            : CannedResponse.Problem(404, """{ "title": "No", "status": 404, "detail": "giftId 'gift_zz' does not exist." }"""));
        using var client = Client(server.BaseUri, maxRetries: 3);
        var redemption = new ScoreUpdateRequest { UserId = "alice.kred", Value = 10, GiftId = "gift_zz" };

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(redemption, "row-8"), Limit, "a missing gift");

        Assert.Equal(CallOutcome.Refused, error.Outcome);
        Assert.Equal(WriteRecovery.FixAndSendAsNew, error.Recovery);
        Assert.Equal("row-8", error.IdempotencyKey);
        Assert.Contains("Fix the row, then send it as new", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    public async Task A_refusal_of_the_row_says_fix_it_and_send_it_as_new(int status)
    {
        await using var server = new RawHttpServer(CannedResponse.Problem(status, $$"""{ "title": "No", "status": {{status}}, "detail": "value is wrong" }"""));
        using var client = Client(server.BaseUri, maxRetries: 3);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore, "row-8"), Limit, "a refusal");

        Assert.Equal(CallOutcome.Refused, error.Outcome);
        Assert.Equal(WriteRecovery.FixAndSendAsNew, error.Recovery);
        Assert.Equal("row-8", error.IdempotencyKey);
        Assert.Contains("Fix the row, then send it as new", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_refusal_after_a_lost_answer_is_still_a_refusal()
    {
        // The server judged the body: the lost attempt was refused as well.
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop,
            CannedResponse.Problem(400, """{ "title": "Invalid", "status": 400, "detail": "userId is bad" }""")));
        using var client = Client(server.BaseUri, maxRetries: 2);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "drop then 400");

        Assert.Equal(CallOutcome.Refused, error.Outcome);
    }

    [Fact]
    public async Task Dropped_every_time_is_unknown_and_names_the_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Drop);
        using var client = Client(server.BaseUri, maxRetries: 2);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore, "row-9"), Limit, "dropped every time");

        Assert.Equal(0, error.StatusCode);
        Assert.Equal(CallOutcome.Unknown, error.Outcome);
        Assert.Contains("'row-9'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_was_certainly_not_applied()
    {
        var port = FreePort();
        using var client = Client(new Uri($"http://127.0.0.1:{port}/v2"), maxRetries: 2);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "refused");

        Assert.Equal(CallOutcome.NotApplied, error.Outcome);
        Assert.NotNull(error.IdempotencyKey);
        Assert.Contains("Nothing was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_timeout_then_503_is_unknown()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(
            CannedResponse.Problem(504, """{ "title": "Gateway Timeout", "status": 504 }"""), Injected503));
        using var client = Client(server.BaseUri, maxRetries: 1);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "504 then 503");

        Assert.Equal(CallOutcome.Unknown, error.Outcome);
    }

    [Fact]
    public async Task A_read_that_fails_is_never_unknown_and_has_no_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Drop);
        using var client = Client(server.BaseUri, maxRetries: 1);

        var error = await Bounded.Throws<SocialOsException>(() => client.GetTierScoreAsync("alice.kred"), Limit, "a read");

        Assert.Equal(CallOutcome.NotApplied, error.Outcome);
        Assert.Null(error.IdempotencyKey);
    }

    // ---- who applied a success: this call or an earlier one ----------------------------

    private const string ScoreDate = "Date: Fri, 20 Feb 2026 14:05:00 GMT"; // Examples.Score's updated_at

    [Fact]
    public async Task A_replay_of_this_calls_own_lost_attempt_is_applied_by_this_call()
    {
        // The first attempt was applied and its answer lost; the retry, under the same key made
        // for this call, is answered from the record that attempt left: applied now, not before.
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, ScoreOk("Idempotent-Replayed: true")));
        using var client = Client(server.BaseUri, maxRetries: 1);

        var score = await Bounded.Within(client.UpdateTierScoreAsync(AScore), Limit, "drop then replay");

        Assert.Equal(AppliedBy.ThisCall, score.AppliedBy);
        Assert.False(score.Replayed);
    }

    [Fact]
    public async Task A_replay_at_the_first_attempt_is_an_earlier_calls()
    {
        await using var server = new RawHttpServer(ScoreOk("Idempotent-Replayed: true", ScoreDate));
        using var client = Client(server.BaseUri, maxRetries: 1);

        var score = await client.UpdateTierScoreAsync(AScore, "row-3");

        Assert.Equal(AppliedBy.EarlierCall, score.AppliedBy);
        Assert.True(score.Replayed);
    }

    [Theory]
    [InlineData(ScoreDate, AppliedBy.ThisCall)]                               // the record is no older than this call
    [InlineData("Date: Sat, 21 Feb 2026 14:05:00 GMT", AppliedBy.EarlierCall)] // a day old: a run of yesterday
    [InlineData(null, AppliedBy.ThisOrEarlierCall)]                           // no server time: cannot be placed
    public async Task After_a_lost_attempt_under_a_key_from_the_row_the_records_age_decides(string? date, AppliedBy expected)
    {
        var replay = date == null ? ScoreOk("Idempotent-Replayed: true") : ScoreOk("Idempotent-Replayed: true", date);
        await using var server = new RawHttpServer(CannedResponse.Sequence(CannedResponse.Drop, replay));
        using var client = Client(server.BaseUri, maxRetries: 1);

        var score = await Bounded.Within(client.UpdateTierScoreAsync(AScore, "run1:row-3"), Limit, "drop then replay");

        Assert.Equal(expected, score.AppliedBy);
        Assert.Equal(expected == AppliedBy.EarlierCall, score.Replayed);
    }

    [Fact]
    public async Task A_read_has_no_applied_by()
    {
        await using var server = new RawHttpServer(ScoreOk());
        using var client = Client(server.BaseUri, maxRetries: 0);

        var score = await client.GetTierScoreAsync("alice.kred");

        Assert.Null(score.AppliedBy);
        Assert.False(score.Replayed);
    }

    [Fact]
    public async Task A_replayed_answer_says_so()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(ScoreOk(), ScoreOk("Idempotent-Replayed: true")));
        var log = new RecordingLog();
        using var client = Client(server.BaseUri, maxRetries: 0, log: log);

        var first = await client.UpdateTierScoreAsync(AScore, "k1");
        var second = await client.UpdateTierScoreAsync(AScore, "k1");
        Assert.Equal(AppliedBy.EarlierCall, second.AppliedBy);

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Contains(log.VerboseLines, l => l.Contains("[user alice.kred, key k1]", StringComparison.Ordinal) && l.Contains("replayed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_lines_name_the_item_and_its_key()
    {
        await using var server = new RawHttpServer(CannedResponse.Sequence(Injected503, ScoreOk()));
        var log = new RecordingLog();
        using var client = Client(server.BaseUri, maxRetries: 1, log: log);

        await client.UpdateTierScoreAsync(AScore, "k2");

        Assert.Contains(log.VerboseLines, l => l.StartsWith("Retrying POST ", StringComparison.Ordinal) && l.Contains("[user alice.kred, key k2] in ", StringComparison.Ordinal));
    }

    // ---- circuit breaker --------------------------------------------------------------

    [Fact]
    public async Task A_dead_server_opens_the_breaker_and_later_calls_send_nothing()
    {
        var port = FreePort();
        var breaker = new CircuitBreaker(3, TimeSpan.FromMinutes(5));
        using var client = Client(new Uri($"http://127.0.0.1:{port}/v2"), maxRetries: 10, breaker: breaker);

        var first = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "first call");
        var attemptsAfterFirst = first.Attempts;
        var later = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "second call");

        Assert.Equal(3, attemptsAfterFirst);
        Assert.True(first.CircuitOpen);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(later.CircuitOpen);
        Assert.Equal(0, later.Attempts);
        Assert.Equal(CallOutcome.NotApplied, later.Outcome);
        Assert.Equal(WriteRecovery.RerunAsIs, later.Recovery);
        Assert.NotNull(later.IdempotencyKey);
        Assert.Contains("circuit breaker", later.Message, StringComparison.Ordinal);
    }

    // ---- a stalled server: no answer to anything for the stall window --------------------

    [Fact]
    public void The_stall_rule_counts_the_silence_of_the_whole_connection_on_its_clock()
    {
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(10, TimeSpan.FromSeconds(30), () => now, stallWindow: TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.Zero, breaker.Silence);
        Assert.True(breaker.TryEnter(out var firstTrial));
        Assert.True(breaker.TryEnter(out _));
        now += TimeSpan.FromSeconds(19);
        Assert.Equal(TimeSpan.FromSeconds(19), breaker.Silence);
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.TimeUntilStalled());

        // Any answer, to any request, restarts the count: a slow but living server never stalls.
        breaker.OnAnswer(firstTrial);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.TimeUntilStalled());
        now += TimeSpan.FromSeconds(20);
        Assert.Equal(TimeSpan.Zero, breaker.TimeUntilStalled());
        Assert.Equal(CircuitState.Closed, breaker.State);

        // A stall opens the breaker at once, far below the threshold of 10 answerless attempts.
        breaker.OnStalled(trial: false);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.ConsecutiveFailures);
        Assert.Contains("answered nothing for 20 s", breaker.OpenReason, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, breaker.Silence);

        // Idle time is no silence: the next request starts the clock anew.
        now += TimeSpan.FromMinutes(5);
        Assert.True(breaker.TryEnter(out var trial));
        Assert.True(trial);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.TimeUntilStalled());
    }

    [Fact]
    public void While_a_trial_call_decides_the_others_can_wait_for_its_verdict()
    {
        // A re-run after a break: its first rows wait for the trial instead of failing at once.
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(30), () => now);
        Assert.True(breaker.TryEnter(out var first));
        breaker.OnNoAnswer(first);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Null(breaker.PendingTrial);

        now += TimeSpan.FromSeconds(31);
        Assert.True(breaker.TryEnter(out var trial));
        Assert.True(trial);
        Assert.False(breaker.TryEnter(out _));
        var verdict = breaker.PendingTrial;
        Assert.NotNull(verdict);
        Assert.False(verdict!.IsCompleted);

        breaker.OnAnswer(trial);
        Assert.True(verdict.IsCompleted);
        Assert.Null(breaker.PendingTrial);
        Assert.True(breaker.TryEnter(out var after));
        Assert.False(after);
    }

    [Fact]
    public void The_stall_rule_is_off_at_zero_and_with_the_breaker()
    {
        Assert.Null(new CircuitBreaker(10, TimeSpan.FromSeconds(30), stallWindow: TimeSpan.Zero).TimeUntilStalled());
        Assert.Null(new CircuitBreaker(0, TimeSpan.FromSeconds(30)).TimeUntilStalled());
    }

    /// <summary>A clock that stands at its start for the first read (the attempt going out)
    /// and is past the stall window for every later one: a stall without waiting for it.</summary>
    private static Func<DateTime> JumpingClock(TimeSpan jump)
    {
        var start = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var reads = 0;
        return () => System.Threading.Interlocked.Increment(ref reads) == 1 ? start : start + jump;
    }

    [Fact]
    public async Task A_server_that_answers_nothing_opens_the_breaker_after_the_stall_window_not_the_timeout()
    {
        // The request reaches the server (a frozen process's kernel still accepts it) and no
        // answer comes; the attempt timeout is a day, so only the stall rule can end the call.
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        var breaker = new CircuitBreaker(10, TimeSpan.FromSeconds(30), JumpingClock(TimeSpan.FromSeconds(31)), stallWindow: TimeSpan.FromSeconds(30));
        var options = Clients.Options(server.BaseUri, timeout: TimeSpan.FromDays(1), retry: NoSleep(3));
        options.CircuitBreaker = breaker;
        using var client = SocialOsHttp.CreateClient(options);

        var error = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "stalled");

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(error.CircuitOpen);
        Assert.Equal(1, error.Attempts);
        // It was sent: it may have been applied, and re-running it with its key is safe.
        Assert.Equal(CallOutcome.Unknown, error.Outcome);
        Assert.Equal(WriteRecovery.RerunAsIs, error.Recovery);
        Assert.Contains("answered nothing for 30 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("hung or frozen", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_of_a_silent_server_advises_checking_it_not_a_longer_timeout()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        var breaker = new CircuitBreaker(10, TimeSpan.FromSeconds(30), JumpingClock(TimeSpan.FromSeconds(31)), stallWindow: TimeSpan.FromSeconds(30));
        var options = Clients.Options(server.BaseUri, timeout: TimeSpan.FromDays(1), retry: NoSleep(0));
        options.CircuitBreaker = breaker;
        using var client = SocialOsHttp.CreateClient(options);

        var error = await Bounded.Throws<SocialOsException>(() => client.GetTierScoreAsync("alice.kred"), Limit, "stalled read");

        Assert.True(error.ServerSilent);
        Assert.Contains("hung or frozen", error.Message, StringComparison.Ordinal);
        Assert.Contains("would not help", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_while_the_server_answers_others_advises_a_longer_timeout()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        // No breaker: nothing tells a silent server from a slow one.
        var options = Clients.Options(server.BaseUri, timeout: TimeSpan.FromMilliseconds(200), retry: NoSleep(0));
        using var quick = SocialOsHttp.CreateClient(options);

        var error = await Bounded.Throws<SocialOsException>(() => quick.GetTierScoreAsync("alice.kred"), Limit, "slow read");

        Assert.False(error.ServerSilent);
        Assert.Contains("-TimeoutSec raises the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_break_one_trial_call_closes_the_breaker_when_the_server_answers()
    {
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(2, TimeSpan.FromSeconds(30), () => now);
        var port = FreePort();
        using (var dead = Client(new Uri($"http://127.0.0.1:{port}/v2"), maxRetries: 5, breaker: breaker))
            await Bounded.Throws<SocialOsException>(() => dead.UpdateTierScoreAsync(AScore), Limit, "dead");
        Assert.Equal(CircuitState.Open, breaker.State);

        await using var server = new RawHttpServer(ScoreOk());
        using var client = Client(server.BaseUri, maxRetries: 0, breaker: breaker);
        var refused = await Bounded.Throws<SocialOsException>(() => client.UpdateTierScoreAsync(AScore), Limit, "still open");
        Assert.True(refused.CircuitOpen);
        Assert.Empty(server.Requests);

        now = now.AddSeconds(30);
        var score = await client.UpdateTierScoreAsync(AScore);

        Assert.Equal(700, score.Current);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void A_failed_trial_opens_the_breaker_again_and_only_one_trial_runs_at_a_time()
    {
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(10), () => now);
        Assert.True(breaker.TryEnter(out var trial));
        Assert.False(trial);
        breaker.OnNoAnswer(trial);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out _));

        now = now.AddSeconds(10);
        Assert.True(breaker.TryEnter(out trial));
        Assert.True(trial);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(breaker.TryEnter(out _));
        breaker.OnNoAnswer(trial);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(now.AddSeconds(10), breaker.OpenUntil);
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void An_abandoned_trial_lets_the_next_caller_try()
    {
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(10), () => now);
        breaker.OnNoAnswer(false);
        now = now.AddSeconds(11);
        Assert.True(breaker.TryEnter(out var trial));
        breaker.OnAbandoned(trial);
        Assert.True(breaker.TryEnter(out var second));
        Assert.True(second);
    }

    [Fact]
    public async Task Any_http_answer_resets_the_count_so_a_flaky_server_never_trips_it()
    {
        // Drop, 503, drop, 503, ... : never two silent attempts in a row.
        var responses = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? CannedResponse.Drop : Injected503).Append(ScoreOk()).ToArray();
        await using var server = new RawHttpServer(CannedResponse.Sequence(responses));
        var breaker = new CircuitBreaker(2, TimeSpan.FromMinutes(5));
        using var client = Client(server.BaseUri, maxRetries: 25, breaker: breaker);

        var score = await Bounded.Within(client.UpdateTierScoreAsync(AScore), Limit, "flaky");

        Assert.Equal(700, score.Current);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_threshold_of_0_turns_the_breaker_off()
    {
        var breaker = new CircuitBreaker(0, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 100; i++) breaker.OnNoAnswer(false);
        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
