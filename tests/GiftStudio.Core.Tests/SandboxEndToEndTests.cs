using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>One real sandbox for the class, its clock starting at 2026-02-20T14:00:00Z. Each
/// test uses its own API key, so its own tenant: gifts, scores and audits never mix.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public static readonly string[] Keys = { "core-e2e-1", "core-e2e-2", "core-e2e-3", "core-e2e-4", "core-e2e-5" };

    public SandboxProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SandboxProcess.StartAsync(new SandboxStart { Keys = Keys, Now = "2026-02-20T14:00:00Z" });

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

public sealed class SandboxEndToEndTests : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Now = new(2026, 2, 20, 14, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Today = new(2026, 2, 20, 0, 0, 0, DateTimeKind.Utc);

    private readonly SandboxFixture _sandbox;

    public SandboxEndToEndTests(SandboxFixture sandbox) => _sandbox = sandbox;

    /// <summary>Through SocialOsHttp.CreateClient, with the base URI written without a trailing slash.</summary>
    private SocialOsClient Client(int tenant, string? key = null) =>
        Clients.Create(_sandbox.Server.ApiUri, key ?? SandboxFixture.Keys[tenant]);

    [Fact]
    public async Task Create_a_gift_redeem_it_and_audit_the_redemption()
    {
        using var client = Client(0);

        var gift = await client.CreateGiftAsync(new NewGiftRequest
        {
            Name = "Welcome Pack",
            Tier = "GOLD",
            Reward = 500,
            Badge = true,
            Expires = new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc),
        });
        Assert.StartsWith("gift_", gift.GiftId);
        Assert.Equal("Welcome Pack", gift.Name);
        Assert.Equal("gold", gift.Tier);
        Assert.Equal(500, gift.Reward);
        Assert.True(gift.BadgeIncluded);
        Assert.Equal(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), gift.Expires);
        Assert.Equal(TimeSpan.Zero, gift.CreatedAt.Offset);
        Assert.InRange(gift.CreatedAt, new DateTimeOffset(Now), new DateTimeOffset(Now.AddMinutes(10)));

        var redeemed = await client.UpdateTierScoreAsync(new ScoreUpdateRequest
        {
            UserId = "alice.kred",
            Action = ScoreActions.GiftRedeemed,
            Value = 500,
            GiftId = gift.GiftId,
        });
        Assert.Equal("alice.kred", redeemed.UserId);
        Assert.Equal("tier", redeemed.Metric);
        Assert.Equal(0, redeemed.Previous);
        Assert.Equal(500, redeemed.Current);
        Assert.Equal("gold", redeemed.TierName);
        Assert.Equal(1, redeemed.Rank);
        Assert.Equal(TimeSpan.Zero, redeemed.UpdatedAt.Offset);
        Assert.InRange(redeemed.UpdatedAt, gift.CreatedAt, new DateTimeOffset(Now.AddMinutes(10)));

        var audit = await client.GetCurrencyAuditAsync("gifts_redeemed", "7d");
        Assert.Equal("currency", audit.Summary.Type);
        Assert.Equal("gifts_redeemed", audit.Summary.Metric);
        Assert.Equal("7d", audit.Summary.Window);
        Assert.Equal(1, audit.Summary.TotalGifts);
        Assert.Equal(500, audit.Summary.TotalValue);
        Assert.Equal(1, audit.Summary.UniqueRecipients);
        Assert.Equal("gold", audit.Summary.TopTier);
        Assert.Equal(7, audit.Summary.Days);
        Assert.Equal(Today, audit.Summary.PeriodEnd);
        Assert.Equal(Today.AddDays(-6), audit.Summary.PeriodStart);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => Today.AddDays(-i)).ToArray(), audit.Days.Select(d => d.Date).ToArray());
        Assert.Equal(1, audit.Days[0].Count);
        Assert.Equal(500, audit.Days[0].Value);
        Assert.All(audit.Days.Skip(1), d => Assert.Equal(0, d.Count));
        Assert.Equal(audit.Summary.TotalValue, audit.Days.Sum(d => d.Value));

        // The campaign reads back the same (extension routes).
        var read = await client.GetGiftAsync(gift.GiftId);
        Assert.Equal(gift.Name, read.Name);
        Assert.Equal(gift.Expires, read.Expires);
        Assert.Equal(gift.CreatedAt, read.CreatedAt);
        var page = await client.ListGiftsAsync(tier: "gold");
        Assert.Equal(new[] { gift.GiftId }, page.Gifts.Select(g => g.GiftId).ToArray());
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task From_200_to_700_is_gold()
    {
        using var client = Client(1);

        var first = await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Action = ScoreActions.Adjustment, Value = 200 });
        Assert.Equal(0, first.Previous);
        Assert.Equal(200, first.Current);
        Assert.Equal("bronze", first.TierName);

        var second = await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "alice.kred", Action = ScoreActions.GiftRedeemed, Value = 500 });
        Assert.Equal(200, second.Previous);
        Assert.Equal(700, second.Current);
        Assert.Equal("gold", second.TierName);
        Assert.Equal(1, second.Rank);

        var other = await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "bob", Action = ScoreActions.GiftRedeemed, Value = 900 });
        Assert.Equal(1, other.Rank);
        Assert.Equal("gold", other.TierName);

        // Read back without changing (extension routes).
        var read = await client.GetTierScoreAsync("alice.kred");
        Assert.Equal(700, read.Previous);
        Assert.Equal(700, read.Current);
        Assert.Equal(2, read.Rank);
        var board = await client.GetLeaderboardAsync(10);
        Assert.Equal(2, board.Total);
        Assert.Equal(new[] { "bob", "alice.kred" }, board.Entries.Select(e => e.UserId).ToArray());
        Assert.Equal(new long[] { 900, 700 }, board.Entries.Select(e => e.Score).ToArray());
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_same_result_and_applies_once()
    {
        using var client = Client(2);
        var update = new ScoreUpdateRequest { UserId = "carol", Action = ScoreActions.GiftRedeemed, Value = 300 };
        var key = "retry-" + Guid.NewGuid().ToString("N");

        var first = await client.UpdateTierScoreAsync(update, key);
        var retry = await client.UpdateTierScoreAsync(update, key);

        Assert.Equal(0, first.Previous);
        Assert.Equal(300, first.Current);
        Assert.Equal(first.Previous, retry.Previous);
        Assert.Equal(first.Current, retry.Current);
        Assert.Equal(first.TierName, retry.TierName);
        Assert.Equal(first.Rank, retry.Rank);
        Assert.Equal(first.UpdatedAt, retry.UpdatedAt);

        // Applied once: the next change starts from 300, not 600.
        var next = await client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "carol", Action = ScoreActions.GiftRedeemed, Value = 1 });
        Assert.Equal(300, next.Previous);
        Assert.Equal(301, next.Current);

        var audit = await client.GetCurrencyAuditAsync("gifts_redeemed", "24h");
        Assert.Equal(2, audit.Summary.TotalGifts);
        Assert.Equal(301, audit.Summary.TotalValue);

        // The same key with another body is refused, not applied.
        var reused = await Assert.ThrowsAsync<SocialOsException>(() =>
            client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "carol", Action = ScoreActions.GiftRedeemed, Value = 5 }, key));
        Assert.Equal(422, reused.StatusCode);
    }

    [Fact]
    public async Task Calls_without_a_key_are_never_replayed()
    {
        using var client = Client(3);
        var update = new ScoreUpdateRequest { UserId = "dave", Action = ScoreActions.GiftRedeemed, Value = 10 };

        var first = await client.UpdateTierScoreAsync(update);
        var second = await client.UpdateTierScoreAsync(update);

        Assert.Equal(10, first.Current);
        Assert.Equal(20, second.Current);
    }

    [Fact]
    public async Task Sandbox_errors_arrive_as_problem_details_with_the_request_id()
    {
        using var client = Client(4);

        var invalid = await Assert.ThrowsAsync<SocialOsException>(() =>
            client.CreateGiftAsync(new NewGiftRequest { Name = "Bad", Tier = "diamond", Reward = 5 }));
        Assert.Equal(400, invalid.StatusCode);
        Assert.True(invalid.Errors.ContainsKey("tier"), "errors: " + invalid.FieldNames);
        Assert.False(string.IsNullOrEmpty(invalid.ProblemType));
        Assert.False(string.IsNullOrEmpty(invalid.RequestId));
        Assert.Contains(invalid.RequestId!, invalid.Message);
        Assert.Contains("400", invalid.Message);

        var missing = await Assert.ThrowsAsync<SocialOsException>(() =>
            client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "erin", Value = 5, GiftId = "gift_doesnotexist" }));
        Assert.Equal(404, missing.StatusCode);

        using var wrongKey = Client(0, key: "not-a-key");
        var unauthorized = await Assert.ThrowsAsync<SocialOsException>(() => wrongKey.GetCurrencyAuditAsync("gifts_redeemed", "7d"));
        Assert.Equal(401, unauthorized.StatusCode);
        Assert.False(string.IsNullOrEmpty(unauthorized.RequestId));
        Assert.DoesNotContain("not-a-key", unauthorized.Message);
    }
}
