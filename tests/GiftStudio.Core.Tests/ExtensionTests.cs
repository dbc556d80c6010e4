using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The Part B extension routes the client also speaks (list and read gifts, read a
/// score, the leaderboard): what they send and how they read the documented shapes.</summary>
public sealed class ExtensionTests
{
    private const string Page = """
        { "data": [ { "gift_id": "gift_a", "name": "A", "tier": "gold", "reward": 500, "badge_included": true, "expires": null, "created_at": "2026-02-20T14:00:00Z" },
                    { "gift_id": "gift_b", "name": "B", "tier": "silver", "reward": 5, "badge_included": false, "expires": "2026-03-20T00:00:00Z", "created_at": "2026-02-19T10:00:00Z" } ],
          "next_cursor": "c_2" }
        """;

    private const string Board = """
        { "type": "leaderboard", "metric": "tier", "entries": [ { "rank": 1, "userId": "bob", "score": 900, "tier_name": "gold" },
          { "rank": 2, "userId": "alice.kred", "score": 700, "tier_name": "gold" }, { "rank": 2, "userId": "carol", "score": 700, "tier_name": "gold" } ], "total": 1234 }
        """;

    [Fact]
    public async Task List_gifts_sends_the_filters_and_reads_a_page()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Page));
        using var client = Clients.Create(server.BaseUri);

        var page = await client.ListGiftsAsync(tier: "gold", active: true, limit: 2, cursor: "c_1/+=");

        var request = server.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v2/gamification/gifts", request.Path);
        Assert.Equal("tier=gold&active=true&limit=2&cursor=c_1%2F%2B%3D", request.Query);
        Assert.Equal(new[] { "gift_a", "gift_b" }, page.Gifts.Select(g => g.GiftId).ToArray());
        Assert.Null(page.Gifts[0].Expires);
        Assert.Equal(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), page.Gifts[1].Expires);
        Assert.False(page.Gifts[1].BadgeIncluded);
        Assert.Equal("c_2", page.NextCursor);
    }

    [Fact]
    public async Task List_gifts_without_filters_has_no_query_and_a_null_cursor_ends()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, """{ "data": [], "next_cursor": null }"""));
        using var client = Clients.Create(server.BaseUri);

        var page = await client.ListGiftsAsync();

        Assert.Equal("/v2/gamification/gifts", server.Single().Target);
        Assert.Empty(page.Gifts);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Get_gift_escapes_the_id()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(server.BaseUri);

        var gift = await client.GetGiftAsync("gift_w3/lc?x");

        Assert.Equal("/v2/gamification/gifts/gift_w3%2Flc%3Fx", server.Single().Target);
        Assert.Equal("gift_w3lc", gift.GiftId);
    }

    [Fact]
    public async Task Get_tier_score_reads_without_changing()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200,
            """{ "userId": "alice.kred", "metric": "tier", "previous": 700, "current": 700, "tier_name": "gold", "rank": 5, "updated_at": "2026-02-20T14:05:00Z" }"""));
        using var client = Clients.Create(server.BaseUri);

        var score = await client.GetTierScoreAsync("alice.kred");

        var request = server.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v2/gamification/score/alice.kred?metric=tier", request.Target);
        Assert.Null(request.Header("Idempotency-Key"));
        Assert.Equal(700, score.Current);
        Assert.Equal(score.Current, score.Previous);
    }

    [Fact]
    public async Task Leaderboard_sends_the_limit_and_reads_the_entries()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Board));
        using var client = Clients.Create(server.BaseUri);

        var board = await client.GetLeaderboardAsync(3);

        Assert.Equal("/v2/analytics", server.Single().Path);
        Assert.Equal("type=leaderboard&metric=tier&limit=3", server.Single().Query);
        Assert.Equal(1234, board.Total);
        Assert.Equal(new long[] { 1, 2, 2 }, board.Entries.Select(e => e.Rank).ToArray());
        Assert.Equal(new[] { "bob", "alice.kred", "carol" }, board.Entries.Select(e => e.UserId).ToArray());
        Assert.Equal(900, board.Entries[0].Score);
        Assert.Equal("gold", board.Entries[0].TierName);
    }

    [Fact]
    public async Task A_missing_score_is_a_404()
    {
        await using var server = new RawHttpServer(CannedResponse.Problem(404,
            """{ "type": "https://docs.socialos.io/errors/not-found", "title": "Not found", "status": 404, "detail": "No score for nobody." }""", "X-Request-Id: req_404"));
        using var client = Clients.Create(server.BaseUri);

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.GetTierScoreAsync("nobody"));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("req_404", error.RequestId);
        Assert.Contains("No score for nobody.", error.Message);
    }
    private const string NotFound = """{ "type": "https://docs.socialos.io/errors/not-found", "title": "Not found", "status": 404, "detail": "No such thing." }""";

    [Fact]
    public async Task A_404_on_a_route_that_names_nothing_says_the_server_does_not_offer_it()
    {
        await using var server = new RawHttpServer(CannedResponse.Problem(404, NotFound, "X-Request-Id: req_nr"));
        using var client = Clients.Create(server.BaseUri);

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.GetLeaderboardAsync());

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("req_nr", error.RequestId);
        Assert.Contains("does not offer GET /analytics?type=leaderboard", error.Message);
        Assert.Contains("extensions", error.Message);
        Assert.DoesNotContain("version path", error.Message);   // the base URI ends in /v2
        Assert.Single(server.Requests);                          // nothing to ask: no resource in it
    }

    [Fact]
    public async Task A_404_for_a_gift_is_a_missing_gift_when_the_list_route_answers()
    {
        await using var server = new RawHttpServer(request => request.Path.EndsWith("/gamification/gifts", StringComparison.Ordinal)
            ? CannedResponse.Json(200, """{ "data": [], "next_cursor": null }""")
            : CannedResponse.Problem(404, NotFound));
        using var client = Clients.Create(server.BaseUri);

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.GetGiftAsync("gift_zz"));

        Assert.Equal("No such thing.", error.Detail);
        Assert.DoesNotContain("does not offer", error.Message);
        Assert.Equal(new[] { "/v2/gamification/gifts/gift_zz", "/v2/gamification/gifts" }, server.Requests.Select(r => r.Path).ToArray());
    }

    [Fact]
    public async Task A_404_for_a_gift_is_a_missing_route_when_the_list_route_is_missing_too_with_a_v2_hint()
    {
        await using var server = new RawHttpServer(CannedResponse.Problem(404, NotFound));
        using var client = Clients.Create(new Uri(server.BaseUri.GetLeftPart(UriPartial.Authority)));

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.GetGiftAsync("gift_zz"));

        Assert.Contains("does not offer GET /gamification/gifts/{gift_id}", error.Message);
        Assert.Contains("no version path", error.Message);
        Assert.Contains("/v2", error.Message);
        Assert.Contains("No such thing.", error.Message);
    }

    [Fact]
    public async Task A_404_for_a_redemption_with_a_gift_id_asks_a_published_route_before_blaming_it()
    {
        await using var server = new RawHttpServer(request => request.Path.EndsWith("/analytics", StringComparison.Ordinal)
            ? CannedResponse.Json(200, """{ "type": "currency", "metric": "gifts_redeemed", "window": "1h", "summary": { "total_gifts": 0, "total_value": 0, "unique_recipients": 0, "top_tier": null }, "daily": [] }""")
            : CannedResponse.Problem(404, NotFound));
        using var client = Clients.Create(server.BaseUri);

        var missingGift = await Assert.ThrowsAsync<SocialOsException>(() => client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1, GiftId = "gift_zz" }));
        var noGift = await Assert.ThrowsAsync<SocialOsException>(() => client.UpdateTierScoreAsync(new ScoreUpdateRequest { UserId = "u", Value = 1 }));

        Assert.DoesNotContain("does not offer", missingGift.Message);
        Assert.Contains("does not offer POST /gamification/score, a route of the published", noGift.Message);
    }
}
