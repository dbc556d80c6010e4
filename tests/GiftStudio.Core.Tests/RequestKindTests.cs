using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using GiftStudio.Http;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>One classification of a request (safe, idempotent by method, idempotent by key,
/// unsafe) decides retry, outcome, recovery and key: every method, with and without a key
/// given, against every way a call can fail, through the real client and a raw server.</summary>
public sealed class RequestKindTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public enum Failure
    {
        RefusedBeforeSending,
        DroppedAfterSending,
        Timeout,
        Status503,
        Status502,
        Status504,
        Status4xx,
    }

    /// <summary>Which advice the message ends with.</summary>
    public enum Advice
    {
        None,
        NothingApplied,
        EarlierCallMayHaveApplied,
        RerunWithSameKey,
        RerunIdempotentMethod,
        CheckAtServer,
        FixRow,
        FixRequest,
        KeyNotApplicable,
    }

    private static readonly string[] Methods = { "GET", "HEAD", "PUT", "DELETE", "PATCH", "POST" };

    public static IEnumerable<object[]> Table() =>
        from method in Methods
        from withKey in new[] { false, true }
        from failure in Enum.GetValues<Failure>()
        select new object[] { method, withKey, failure };

    /// <summary>The expected row of the table, written from the rules, not from the code.</summary>
    private static (CallOutcome Outcome, WriteRecovery Recovery, Advice Advice) Expected(string method, bool withKey, Failure failure)
    {
        // A key on anything but POST is refused before sending: the contract gives it none.
        if (withKey && method != "POST") return (CallOutcome.Refused, WriteRecovery.FixAndSendAsNew, Advice.KeyNotApplicable);
        var kind = method switch
        {
            "GET" or "HEAD" => RequestKind.Safe,
            "PUT" or "DELETE" => RequestKind.IdempotentByMethod,
            "POST" => RequestKind.IdempotentByKey, // the client adds a fresh key when none is given
            _ => RequestKind.Unsafe,
        };
        switch (failure)
        {
            case Failure.Status4xx:
                return (CallOutcome.Refused, WriteRecovery.FixAndSendAsNew,
                    kind == RequestKind.Safe ? Advice.None : kind == RequestKind.IdempotentByKey ? Advice.FixRow : Advice.FixRequest);
            case Failure.RefusedBeforeSending:
            case Failure.Status503:
                // Nothing of this call was applied; under a key given to it an earlier call's may have been.
                if (kind == RequestKind.Safe) return (CallOutcome.NotApplied, WriteRecovery.RerunAsIs, Advice.None);
                return withKey
                    ? (CallOutcome.Unknown, WriteRecovery.RerunAsIs, Advice.EarlierCallMayHaveApplied)
                    : (CallOutcome.NotApplied, WriteRecovery.RerunAsIs, Advice.NothingApplied);
            default:
                // The request was sent and its answer lost: applied or not, nobody knows.
                return kind switch
                {
                    RequestKind.Safe => (CallOutcome.NotApplied, WriteRecovery.RerunAsIs, Advice.None),
                    RequestKind.IdempotentByMethod => (CallOutcome.Unknown, WriteRecovery.RerunAsIs, Advice.RerunIdempotentMethod),
                    RequestKind.IdempotentByKey => (CallOutcome.Unknown, WriteRecovery.RerunAsIs, Advice.RerunWithSameKey),
                    _ => (CallOutcome.Unknown, WriteRecovery.CheckAtServerFirst, Advice.CheckAtServer),
                };
        }
    }

    private static Advice AdviceIn(string message)
    {
        if (message.Contains("applies to POST only", StringComparison.Ordinal)) return Advice.KeyNotApplicable;
        if (message.Contains("an earlier call may have sent it", StringComparison.Ordinal)) return Advice.EarlierCallMayHaveApplied;
        if (message.Contains("Check at the server before sending it again", StringComparison.Ordinal)) return Advice.CheckAtServer;
        if (message.Contains("with the same idempotency key", StringComparison.Ordinal)) return Advice.RerunWithSameKey;
        if (message.Contains("is idempotent, so sending it again", StringComparison.Ordinal)) return Advice.RerunIdempotentMethod;
        if (message.Contains("Nothing was applied", StringComparison.Ordinal)) return Advice.NothingApplied;
        if (message.Contains("Fix the row", StringComparison.Ordinal)) return Advice.FixRow;
        if (message.Contains("Fix the request", StringComparison.Ordinal)) return Advice.FixRequest;
        return Advice.None;
    }

    private static CannedResponse Problem(int status) => CannedResponse.Problem(status,
        $$"""{ "title": "Injected", "status": {{status}}, "detail": "Injected {{status}}." }""", "X-Request-Id: req_" + status);

    private static CannedResponse ResponseFor(Failure failure) => failure switch
    {
        Failure.DroppedAfterSending => CannedResponse.Drop,
        Failure.Timeout => CannedResponse.NoAnswer,
        Failure.Status503 => Problem(503),
        Failure.Status502 => Problem(502),
        Failure.Status504 => Problem(504),
        Failure.Status4xx => Problem(400),
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Each_method_with_or_without_key_against_each_failure(string method, bool withKey, Failure failure)
    {
        var expected = Expected(method, withKey, failure);
        await using var server = failure == Failure.RefusedBeforeSending ? null : new RawHttpServer(ResponseFor(failure));
        // Held for the whole test: a bound port that never listens refuses every connection.
        using var closed = new ClosedPort();
        var baseUri = server?.BaseUri ?? new Uri($"http://127.0.0.1:{closed.Port}/v2/");
        var options = Clients.Options(baseUri, timeout: failure == Failure.Timeout ? TimeSpan.FromMilliseconds(300) : null,
            retry: new RetryPolicy { MaxRetries = 1, Delay = (_, _) => Task.CompletedTask });
        using var client = SocialOsHttp.CreateClient(options);
        var body = method is "GET" or "HEAD" or "DELETE" ? null : Encoding.UTF8.GetBytes("""{ "a": 1 }""");

        Exception? error = null;
        try
        {
            await Bounded.Within(Task.Run(() => client.SendAsync(new HttpMethod(method), "things/1", body, withKey ? "row-7" : null)), Limit, $"{method} {failure}");
        }
        catch (Exception e)
        {
            error = e;
        }

        var (outcome, recovery) = error switch
        {
            SocialOsException api => (api.Outcome, api.Recovery),
            SocialOsInputException input => (input.Outcome, input.Recovery),
            null => throw new Xunit.Sdk.XunitException("The call did not fail."),
            _ => throw new Xunit.Sdk.XunitException($"Unexpected {error.GetType().Name}: {error.Message}"),
        };
        Assert.True(expected == (outcome, recovery, AdviceIn(error!.Message)),
            $"{method} {(withKey ? "with" : "without")} key, {failure}: expected {expected}, got ({outcome}, {recovery}, {AdviceIn(error.Message)}): {error.Message}");
    }

    [Theory]
    [InlineData("GET", false, RequestKind.Safe)]
    [InlineData("head", false, RequestKind.Safe)]
    [InlineData("PUT", false, RequestKind.IdempotentByMethod)]
    [InlineData("DELETE", false, RequestKind.IdempotentByMethod)]
    [InlineData("POST", true, RequestKind.IdempotentByKey)]
    [InlineData("POST", false, RequestKind.Unsafe)]
    [InlineData("PATCH", false, RequestKind.Unsafe)]
    public void Classifies_by_method_and_key(string method, bool hasKey, RequestKind kind)
    {
        Assert.Equal(kind, RequestKinds.Of(method, hasKey));
        Assert.Equal(method.Equals("POST", StringComparison.OrdinalIgnoreCase), RequestKinds.TakesKey(method));
    }
}
