using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>--rate-limit: a token bucket per key. A burst ends in 429 with Retry-After and a
/// quota-exceeded problem; waiting Retry-After is enough; other keys are unaffected.</summary>
public sealed class RateLimitTests : IClassFixture<RateLimitedSandbox>
{
    private readonly RateLimitedSandbox _sandbox;

    public RateLimitTests(RateLimitedSandbox sandbox) => _sandbox = sandbox;

    private static long Remaining(Answer answer) => long.Parse(answer.Header("X-RateLimit-Remaining")!, CultureInfo.InvariantCulture);

    private static int RetryAfterSeconds(Answer answer)
    {
        var text = answer.Header("Retry-After");
        Assert.True(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds), $"Retry-After '{text}' is not whole seconds");
        Assert.True(seconds >= 1, $"Retry-After {seconds}");
        return seconds;
    }

    /// <summary>Sends requests until one is refused; returns the successes' answers and the 429.</summary>
    private static async Task<(List<Answer> Allowed, Answer Limited)> BurstAsync(System.Net.Http.HttpClient client)
    {
        var allowed = new List<Answer>();
        for (var i = 0; i < 200; i++)
        {
            var answer = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1");
            if (answer.Status == 429) return (allowed, answer);
            answer.IsOk();
            allowed.Add(answer);
        }
        throw new Xunit.Sdk.XunitException("200 requests in a row were never rate limited.");
    }

    [Fact]
    public async Task Burst_gets_429_with_retry_after_and_waiting_it_is_enough()
    {
        var client = _sandbox.FreshTenant();

        var (allowed, limited) = await BurstAsync(client);

        Assert.True(allowed.Count >= 5, $"only {allowed.Count} requests passed a bucket of 5");
        // A full bucket of 5 less this request, down to 0 on the last one let through.
        Assert.Equal(4, Remaining(allowed[0]));
        Assert.All(allowed, a => Assert.Equal("5", a.Header("X-RateLimit-Limit")));
        Assert.Equal(0, Remaining(allowed[^1]));
        Assert.All(allowed, a => Assert.True(long.Parse(a.Header("X-RateLimit-Reset")!, CultureInfo.InvariantCulture) >= 1, a.Header("X-RateLimit-Reset")));

        limited.Is(429, "quota-exceeded");
        Assert.EndsWith("quota-exceeded", limited.Json.Str("type"), StringComparison.Ordinal);
        Assert.Equal(0, Remaining(limited));
        Assert.True(long.Parse(limited.Header("X-RateLimit-Reset")!, CultureInfo.InvariantCulture) >= 1);
        var retryAfter = RetryAfterSeconds(limited);

        // Another key has its own full bucket.
        var other = await _sandbox.FreshTenant().FetchAsync($"{SandboxCalls.Gifts}?limit=1");
        other.IsOk();
        Assert.Equal(4, Remaining(other));

        // Nothing refills while the clock stands still; moving it by Retry-After is enough.
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).Is(429, "quota-exceeded");
        await AdvanceAsync(client, retryAfter);
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).IsOk();
    }

    [Fact]
    public async Task Rate_limited_post_is_not_kept_for_its_idempotency_key()
    {
        var client = _sandbox.FreshTenant();
        var key = Ids.Key();
        var user = Ids.User("limited");
        // The clock stands still: once drained, the bucket stays empty until the test moves it.
        var (_, limited) = await BurstAsync(client);
        limited.Is(429, "quota-exceeded");
        var refused = await client.ScoreAsync(user, 9, idempotencyKey: key);
        refused.Is(429, "quota-exceeded");

        await AdvanceAsync(client, RetryAfterSeconds(refused));
        var retried = await client.ScoreAsync(user, 9, idempotencyKey: key);

        retried.IsOk();
        Assert.Null(retried.Header("Idempotent-Replayed"));
        // Executed afresh, and the refused attempt had applied nothing.
        Assert.Equal(0, retried.Json.Int("previous"));
        Assert.Equal(9, retried.Json.Int("current"));
    }

    [Fact]
    public async Task Unauthenticated_requests_do_not_drain_a_bucket()
    {
        var key = _sandbox.FreshKey();
        for (var i = 0; i < 8; i++) (await _sandbox.Server.Anonymous.FetchAsync(SandboxCalls.Gifts)).Is(401);

        var first = await _sandbox.Server.Client(key).FetchAsync(SandboxCalls.Gifts);

        first.IsOk();
        Assert.Equal(4, Remaining(first));
    }

    /// <summary>--rate-limit accepts any rate above 0. With 0.5 requests a second a key may make
    /// one request every 2 s; a 429's Retry-After must be a wait after which a request passes.</summary>
    [Fact]
    public async Task Fractional_rate_lets_a_request_through_after_Retry_After()
    {
        await using var server = await InProcessSandbox.StartAsync(new SandboxStart { RateLimit = "0.5", ExtraArgs = new[] { "--clock", "manual" } });
        var client = server.Client("K1");

        // A bucket of one: the first request passes, the second is refused until the clock moves.
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).IsOk();
        var first = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1");
        Assert.Equal(2, RetryAfterSeconds(first));
        // Just short of Retry-After is not enough: the bucket refills on the clock, to the millisecond.
        await AdvanceAsync(client, 1.9);
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).Is(429, "quota-exceeded");
        {
            await AdvanceAsync(client, 0.1);
            var retried = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1");
            Assert.True(retried.Status == 200,
                $"--rate-limit 0.5: GET {SandboxCalls.Gifts} answered 429 (Retry-After {first.Header("Retry-After")}), and again {retried.Status} " +
                $"(Retry-After {retried.Header("Retry-After")}, X-RateLimit-Remaining {retried.Header("X-RateLimit-Remaining")}) after waiting it: {retried}");
        }
    }

    [Fact]
    public async Task Only_a_manual_clock_can_be_moved_and_only_forward()
    {
        (await _sandbox.FreshTenant().PostBytesAsync("/_sandbox/clock?advance=0", Array.Empty<byte>(), "application/json")).Is(400, "validation", "advance");
        (await _sandbox.FreshTenant().PostBytesAsync("/_sandbox/clock?advance=-5", Array.Empty<byte>(), "application/json")).Is(400, "validation", "advance");
        (await _sandbox.Server.Anonymous.PostBytesAsync("/_sandbox/clock?advance=5", Array.Empty<byte>(), "application/json")).Is(401);
        await using var real = await InProcessSandbox.StartAsync();
        (await real.Client("K1").PostBytesAsync("/_sandbox/clock?advance=5", Array.Empty<byte>(), "application/json")).Is(409, "clock-not-manual");
    }

    /// <summary>In-process, a real clock (no --clock manual) runs on the test's time provider:
    /// the bucket refills as that time moves, to the millisecond, and never by itself.</summary>
    [Fact]
    public async Task A_real_clock_refills_the_bucket_as_its_time_provider_moves()
    {
        await using var server = await InProcessSandbox.StartAsync(new SandboxStart { RateLimit = "1" });
        var client = server.Client("K1");
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).IsOk();
        var limited = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1");
        limited.Is(429, "quota-exceeded");
        Assert.Equal(1, RetryAfterSeconds(limited));

        server.Advance(TimeSpan.FromMilliseconds(999));
        (await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1")).Is(429, "quota-exceeded");
        server.Advance(TimeSpan.FromMilliseconds(1));
        var refilled = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=1");

        refilled.IsOk();
        Assert.Equal(0, Remaining(refilled));
    }

    /// <summary>Moves the sandbox's manual clock (--clock manual) forward.</summary>
    private static async Task AdvanceAsync(System.Net.Http.HttpClient client, double seconds)
    {
        var answer = await client.PostBytesAsync($"/_sandbox/clock?advance={seconds.ToString(CultureInfo.InvariantCulture)}", Array.Empty<byte>(), "application/json");
        Assert.True(answer.Status == 200, answer.ToString());
    }
}
