using System.Net.Http;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The two reply rules that had two versions: what a replay is (the client's
/// AppliedBy and the diagnostics line read the same one) and what a JSON body is (a
/// general call's IsJson and the problem details read the same one).</summary>
public sealed class ReplyRuleTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("false", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void AReplayIsTheHeaderTrue(string? header, bool replay)
    {
        using var response = new HttpResponseMessage();
        if (header != null) response.Headers.TryAddWithoutValidation("Idempotent-Replayed", header);
        Assert.Equal(replay, Replies.IsReplay(response));
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("APPLICATION/JSON", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/x-json", false)]
    [InlineData("text/notjson", false)]
    [InlineData("text/html", false)]
    [InlineData(null, false)]
    public void AJsonBodyIsApplicationJsonOrPlusJson(string? mediaType, bool json) =>
        Assert.Equal(json, JsonMediaType.Is(mediaType));
}
