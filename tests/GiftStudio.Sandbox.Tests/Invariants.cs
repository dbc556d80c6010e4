using System.Globalization;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>What holds for every response of the sandbox.</summary>
public static class Invariants
{
    public static void Check(Answer answer, string request)
    {
        Assert.True(answer.Status < 500, $"{request} answered a server fault: {answer}");
        Assert.False(string.IsNullOrWhiteSpace(answer.Header("X-Request-Id")), $"{request}: no X-Request-Id. {answer}");
        var remaining = answer.Header("X-RateLimit-Remaining");
        Assert.True(long.TryParse(remaining, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            $"{request}: X-RateLimit-Remaining is '{remaining}'. {answer}");
        var limit = answer.Header("X-RateLimit-Limit");
        Assert.True(long.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var limitValue) && limitValue >= 1,
            $"{request}: X-RateLimit-Limit is '{limit}'. {answer}");
        var reset = answer.Header("X-RateLimit-Reset");
        Assert.True(long.TryParse(reset, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            $"{request}: X-RateLimit-Reset is '{reset}'. {answer}");
        if (answer.Status >= 400) Problem.AssertWellFormed(answer, request);
        else if (answer.Status is >= 200 and < 300) Assert.True(answer.MediaType == "application/json", $"{request}: 2xx is not application/json. {answer}");
    }
}
