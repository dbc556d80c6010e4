using System;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Kill the server (SIGKILL, no graceful shutdown) and start a new one on the same data
/// file: everything answered 2xx is still there, and idempotent replays still replay.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Gifts_scores_ledger_and_idempotency_records_survive_a_kill()
    {
        using var data = new TempData();
        var scoreKey = Ids.Key();
        var giftKey = Ids.Key();
        var scoreBody = SandboxCalls.ScoreBody("durable", 300);
        Answer firstScore, firstGift;
        string giftText, listText, scoreText, boardText, redeemedSummary, awardedSummary, otherTenantScore;
        string giftId;

        var before = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        try
        {
            var k1 = before.Client("K1");
            giftId = await k1.NewGiftAsync("platinum", "2099-01-01T00:00:00Z", "Durable");
            firstGift = await k1.CreateGiftAsync("Keyed", "silver", idempotencyKey: giftKey);
            firstGift.IsOk();
            firstScore = await k1.ScoreAsync("durable", 300, idempotencyKey: scoreKey);
            firstScore.IsOk();
            await k1.AddScoreAsync("durable", 200, "gift_redeemed", giftId);
            await k1.AddScoreAsync("second", 50, "gift_redeemed");
            await before.Client("K2").AddScoreAsync("durable", 7);

            giftText = (await k1.FetchAsync($"{SandboxCalls.Gifts}/{giftId}")).Text;
            listText = (await k1.FetchAsync(SandboxCalls.Gifts)).Text;
            scoreText = (await k1.GetScoreAsync("durable")).Text;
            boardText = (await k1.FetchAsync($"{SandboxCalls.Analytics}?type=leaderboard&metric=tier")).Text;
            redeemedSummary = (await k1.CurrencyOkAsync("gifts_redeemed")).GetProperty("summary").GetRawText();
            awardedSummary = (await k1.CurrencyOkAsync("points_awarded")).GetProperty("summary").GetRawText();
            otherTenantScore = (await before.Client("K2").GetScoreAsync("durable")).Text;
        }
        finally
        {
            await before.KillAsync();
            Assert.True(before.HasExited);
            await before.DisposeAsync();
        }

        await using var after = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        var client = after.Client("K1");

        Assert.Equal(giftText, (await client.FetchAsync($"{SandboxCalls.Gifts}/{giftId}")).Text);
        Assert.Equal(listText, (await client.FetchAsync(SandboxCalls.Gifts)).Text);
        Assert.Equal(scoreText, (await client.GetScoreAsync("durable")).Text);
        Assert.Equal(boardText, (await client.FetchAsync($"{SandboxCalls.Analytics}?type=leaderboard&metric=tier")).Text);
        Assert.Equal(redeemedSummary, (await client.CurrencyOkAsync("gifts_redeemed")).GetProperty("summary").GetRawText());
        Assert.Equal(awardedSummary, (await client.CurrencyOkAsync("points_awarded")).GetProperty("summary").GetRawText());
        Assert.Equal(otherTenantScore, (await after.Client("K2").GetScoreAsync("durable")).Text);
        Assert.Contains("\"total_gifts\":2", redeemedSummary, StringComparison.Ordinal);

        // The idempotency records are durable too: replays, not re-executions.
        var replayedScore = await client.PostJsonAsync(SandboxCalls.Score, scoreBody, scoreKey);
        Assert.Equal("true", replayedScore.Header("Idempotent-Replayed"));
        Assert.Equal(firstScore.Body, replayedScore.Body);
        var replayedGift = await client.CreateGiftAsync("Keyed", "silver", idempotencyKey: giftKey);
        Assert.Equal("true", replayedGift.Header("Idempotent-Replayed"));
        Assert.Equal(firstGift.Body, replayedGift.Body);
        (await client.ScoreAsync("durable", 301, idempotencyKey: scoreKey)).Is(422);
        Assert.Equal(500, await client.CurrentScoreAsync("durable"));
        Assert.Equal(2, (await client.ListAllGiftsAsync(10)).Count);

        // And the restarted server keeps writing on top.
        Assert.Equal(501, (await client.AddScoreAsync("durable", 1)).Int("current"));
    }
}
