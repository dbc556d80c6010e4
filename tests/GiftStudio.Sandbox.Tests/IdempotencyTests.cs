using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Idempotency-Key on POST: replays, conflicts, refusals, tenancy, concurrency.
/// The effect is always checked on the ledger (the score), not only on the responses.</summary>
public sealed class IdempotencyTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public IdempotencyTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Same_key_same_body_replays_identical_bytes_and_applies_once()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("replay");
        var key = Ids.Key();
        var body = SandboxCalls.ScoreBody(user, 40);

        var first = await client.PostJsonAsync(SandboxCalls.Score, body, key);
        var second = await client.PostJsonAsync(SandboxCalls.Score, body, key);
        var third = await client.PostJsonAsync(SandboxCalls.Score, body, key);

        first.IsOk();
        Assert.Null(first.Header("Idempotent-Replayed"));
        second.IsOk();
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Body, third.Body);
        Assert.Equal("true", third.Header("Idempotent-Replayed"));
        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Equal(40, await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Replayed_gift_creation_creates_one_gift()
    {
        var client = _sandbox.FreshTenant();
        var key = Ids.Key();

        var first = await client.CreateGiftAsync("Once", idempotencyKey: key);
        var second = await client.CreateGiftAsync("Once", idempotencyKey: key);

        first.IsOk();
        Assert.Equal(first.Body, second.Body);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        var all = await client.ListAllGiftsAsync(100);
        Assert.Equal(first.Json.Str("gift_id"), Assert.Single(all).Str("gift_id"));
    }

    [Fact]
    public async Task Same_key_different_body_is_422_and_applies_nothing()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("mismatch");
        var key = Ids.Key();
        (await client.ScoreAsync(user, 10, idempotencyKey: key)).IsOk();

        var answer = await client.ScoreAsync(user, 11, idempotencyKey: key);

        answer.Is(422, field: "Idempotency-Key");
        Assert.Null(answer.Header("Idempotent-Replayed"));
        Assert.Equal(10, await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Same_key_on_another_route_is_422()
    {
        var client = _sandbox.Client1;
        var key = Ids.Key();
        (await client.CreateGiftAsync(idempotencyKey: key)).IsOk();
        var user = Ids.User("route");

        (await client.ScoreAsync(user, 10, idempotencyKey: key)).Is(422);

        Assert.Null(await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Validation_refusal_is_final_and_replayed()
    {
        var client = _sandbox.Client1;
        var key = Ids.Key();
        const string body = """{"name":"Gift","tier":"diamond","reward":1}""";

        var first = await client.PostJsonAsync(SandboxCalls.Gifts, body, key);
        var second = await client.PostJsonAsync(SandboxCalls.Gifts, body, key);

        first.IsValidation("tier");
        second.IsValidation("tier");
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task Score_below_zero_refusal_is_final_even_after_the_score_rises()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("final422");
        var key = Ids.Key();
        await client.AddScoreAsync(user, 50);
        var body = SandboxCalls.ScoreBody(user, -100);

        var first = await client.PostJsonAsync(SandboxCalls.Score, body, key);
        first.Is(422, "unprocessable", "value");
        await client.AddScoreAsync(user, 100); // now -100 would succeed as a new request
        var second = await client.PostJsonAsync(SandboxCalls.Score, body, key);

        second.Is(422, "unprocessable", "value");
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(150, await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Unknown_gift_refusal_is_final_and_replayed()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("final404");
        var key = Ids.Key();
        var body = SandboxCalls.ScoreBody(user, 5, "gift_redeemed", "gift_notThere123");

        var first = await client.PostJsonAsync(SandboxCalls.Score, body, key);
        var second = await client.PostJsonAsync(SandboxCalls.Score, body, key);

        first.Is(404);
        second.Is(404);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
        Assert.Null(await client.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Keys_are_per_tenant()
    {
        var a = _sandbox.FreshTenant();
        var b = _sandbox.FreshTenant();
        var key = Ids.Key();
        var body = SandboxCalls.ScoreBody("shared-user", 10);

        var fromA = await a.PostJsonAsync(SandboxCalls.Score, body, key);
        var fromB = await b.PostJsonAsync(SandboxCalls.Score, body, key);
        var differentFromB = await b.PostJsonAsync(SandboxCalls.Score, SandboxCalls.ScoreBody("shared-user", 99), Ids.Key());
        var giftA = await a.CreateGiftAsync("A", idempotencyKey: "gift-key");
        var giftB = await b.CreateGiftAsync("B", idempotencyKey: "gift-key");

        fromA.IsOk();
        fromB.IsOk();
        Assert.Null(fromB.Header("Idempotent-Replayed"));
        differentFromB.IsOk();
        Assert.Equal(10, await a.CurrentScoreAsync("shared-user"));
        Assert.Equal(109, await b.CurrentScoreAsync("shared-user"));
        giftA.IsOk();
        giftB.IsOk();
        Assert.Null(giftB.Header("Idempotent-Replayed"));
        Assert.Equal("B", giftB.Json.Str("name"));
        Assert.NotEqual(giftA.Json.Str("gift_id"), giftB.Json.Str("gift_id"));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_apply_exactly_once()
    {
        var client = _sandbox.Client1;
        for (var round = 0; round < 3; round++)
        {
            var user = Ids.User("race");
            var key = Ids.Key();
            var body = SandboxCalls.ScoreBody(user, 7);

            var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => client.PostJsonAsync(SandboxCalls.Score, body, key))));

            Assert.All(answers, a => Assert.True(a.Status is 200 or 409, a.ToString()));
            var ok = answers.Where(a => a.Status == 200).ToList();
            Assert.NotEmpty(ok);
            Assert.All(ok, a => Assert.Equal(ok[0].Body, a.Body));
            Assert.Equal(1, ok.Count(a => a.Header("Idempotent-Replayed") is null));
            Assert.All(answers.Where(a => a.Status == 409), a => a.Is(409));
            Assert.Equal(7, await client.CurrentScoreAsync(user));

            // Once the first has finished, a retry is a replay.
            var retry = await client.PostJsonAsync(SandboxCalls.Score, body, key);
            retry.IsOk();
            Assert.Equal("true", retry.Header("Idempotent-Replayed"));
            Assert.Equal(ok[0].Body, retry.Body);
        }
    }

    /// <summary>The empty key (length 0) is in <see cref="TransportTests"/>: TestServer does not pass
    /// on a header with an empty value.</summary>
    [Theory]
    [InlineData(256)]
    public Task Key_outside_1_to_255_printable_ascii_is_400(int length) => AssertKeyIsRefusedAsync(_sandbox.Client1, length);

    /// <summary>A gift creation with an Idempotency-Key of <paramref name="length"/> 'k's is a 400 naming the key.</summary>
    internal static async Task AssertKeyIsRefusedAsync(HttpClient client, int length)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, SandboxCalls.Gifts)
        {
            Content = new StringContent(SandboxCalls.GiftBody(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', length));

        var answer = await client.ExchangeAsync(request);

        answer.IsValidation("Idempotency-Key");
    }

    [Fact]
    public async Task Key_of_255_printable_characters_is_accepted()
    {
        var key = (Ids.Key() + " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + new string('k', 255))[..255];
        var user = Ids.User("longkey");

        var first = await _sandbox.Client1.ScoreAsync(user, 3, idempotencyKey: key);
        var second = await _sandbox.Client1.ScoreAsync(user, 3, idempotencyKey: key);

        first.IsOk();
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(3, await _sandbox.Client1.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task A_key_expires_48_hours_later_on_the_sandbox_clock_while_it_runs()
    {
        await using var sandbox = await InProcessSandbox.StartAsync(new SandboxStart { Now = "2026-02-20T14:00:00Z", ExtraArgs = new[] { "--clock", "manual" } });
        var client = sandbox.Client("K1");
        var key = Ids.Key();
        var body = SandboxCalls.ScoreBody("expiring", 7);
        (await client.PostJsonAsync(SandboxCalls.Score, body, key)).IsOk();

        (await client.PostJsonAsync("/_sandbox/clock?advance=172799", "{}")).IsOk();
        Assert.Equal("true", (await client.PostJsonAsync(SandboxCalls.Score, body, key)).Header("Idempotent-Replayed"));
        Assert.Equal(7, await client.CurrentScoreAsync("expiring"));

        (await client.PostJsonAsync("/_sandbox/clock?advance=3601", "{}")).IsOk();
        var after = await client.PostJsonAsync(SandboxCalls.Score, body, key);
        after.IsOk();
        Assert.Null(after.Header("Idempotent-Replayed"));
        Assert.Equal(14, await client.CurrentScoreAsync("expiring"));
        // The new answer is the key's record from now on.
        Assert.Equal("true", (await client.PostJsonAsync(SandboxCalls.Score, body, key)).Header("Idempotent-Replayed"));
        Assert.Equal(14, await client.CurrentScoreAsync("expiring"));
    }
}
