using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The Part B extension routes: gift list paging and filters, one gift, one score,
/// the leaderboard.</summary>
public sealed class GiftListTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public GiftListTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    private static readonly string[] Tiers = { "gold", "bronze", "gold", "platinum", "silver", "gold", "bronze" };

    private static async Task<List<string>> CreateGiftsAsync(System.Net.Http.HttpClient client)
    {
        var ids = new List<string>();
        for (var i = 0; i < Tiers.Length; i++)
            ids.Add(await client.NewGiftAsync(Tiers[i], i == 3 ? "2099-01-01T00:00:00Z" : null, $"Gift {i}"));
        return ids;
    }

    [Fact]
    public async Task Cursor_paging_returns_every_gift_once_in_creation_order()
    {
        var client = _sandbox.FreshTenant();
        var created = await CreateGiftsAsync(client);

        foreach (var limit in new[] { 1, 2, 3, Tiers.Length, Tiers.Length + 1, 1000 })
        {
            var all = await client.ListAllGiftsAsync(limit);
            Assert.Equal(created, all.Select(g => g.Str("gift_id")!).ToList());
            Assert.Equal(Enumerable.Range(0, Tiers.Length).Select(i => $"Gift {i}"), all.Select(g => g.Str("name")));
        }

        // limit = total: one page, next_cursor null.
        var page = await client.FetchAsync($"{SandboxCalls.Gifts}?limit={Tiers.Length}");
        page.IsOk();
        Assert.Equal(Tiers.Length, page.Json.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page.Json.GetProperty("next_cursor").ValueKind);
        // Default page holds them all too.
        var whole = await client.FetchAsync(SandboxCalls.Gifts);
        Assert.Equal(Tiers.Length, whole.Json.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Empty_list_is_an_empty_page()
    {
        var answer = await _sandbox.FreshTenant().FetchAsync(SandboxCalls.Gifts);

        answer.IsOk();
        Assert.Equal(0, answer.Json.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, answer.Json.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Tier_and_active_filters_select_and_page()
    {
        var client = _sandbox.FreshTenant();
        var created = await CreateGiftsAsync(client);
        var golds = created.Where((_, i) => Tiers[i] == "gold").ToList();

        foreach (var filter in new[] { "&tier=gold", "&tier=GOLD" })
        {
            foreach (var limit in new[] { 1, 2, 10 })
            {
                var gifts = await client.ListAllGiftsAsync(limit, filter);
                Assert.Equal(golds, gifts.Select(g => g.Str("gift_id")!).ToList());
                Assert.All(gifts, g => Assert.Equal("gold", g.Str("tier")));
            }
        }
        Assert.Equal(new[] { created[3] }, (await client.ListAllGiftsAsync(1, "&tier=platinum")).Select(g => g.Str("gift_id")));
        Assert.Equal(created, (await client.ListAllGiftsAsync(2, "&active=true")).Select(g => g.Str("gift_id")!).ToList());
        Assert.Empty(await client.ListAllGiftsAsync(2, "&active=false"));
        Assert.Equal(golds, (await client.ListAllGiftsAsync(1, "&tier=gold&active=true")).Select(g => g.Str("gift_id")!).ToList());
    }

    [Theory]
    [InlineData("cursor=garbage", "cursor")]
    [InlineData("cursor=c1.!!!", "cursor")]
    [InlineData("cursor=c1.LTE", "cursor")]
    [InlineData("cursor=c1.MA", "cursor")]
    [InlineData("cursor=c1.YWJj", "cursor")]
    [InlineData("cursor=c2.MQ", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("tier=diamond", "tier")]
    [InlineData("active=yes", "active")]
    [InlineData("active=1", "active")]
    public async Task Bad_list_parameter_is_400_naming_it(string query, string field)
    {
        var answer = await _sandbox.Client1.FetchAsync($"{SandboxCalls.Gifts}?{query}");

        answer.IsValidation(field);
    }

    [Fact]
    public async Task Cursor_from_a_page_continues_after_it()
    {
        var client = _sandbox.FreshTenant();
        var created = await CreateGiftsAsync(client);
        var first = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=2");
        var cursor = first.Json.Str("next_cursor")!;
        Assert.False(string.IsNullOrEmpty(cursor));

        var next = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=2&cursor={Uri.EscapeDataString(cursor)}");
        var again = await client.FetchAsync($"{SandboxCalls.Gifts}?limit=2&cursor={Uri.EscapeDataString(cursor)}");

        Assert.Equal(created.Skip(2).Take(2), next.Json.GetProperty("data").EnumerateArray().Select(g => g.Str("gift_id")!));
        Assert.Equal(next.Body, again.Body);
    }

    [Fact]
    public async Task Get_gift_by_id_returns_what_creation_returned()
    {
        var client = _sandbox.Client1;
        var created = await client.CreateGiftAsync("Lookup", "platinum", 42, true, "2099-12-31T23:59:59Z");
        created.IsOk();
        var giftId = created.Json.Str("gift_id");

        var read = await client.FetchAsync($"{SandboxCalls.Gifts}/{giftId}");

        read.IsOk();
        Shape.Gift(read.Json);
        Assert.Equal(created.Text, read.Text);
    }

    [Fact]
    public async Task Get_score_reads_without_changing_and_unknown_user_is_404()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("read");
        (await client.GetScoreAsync(user)).Is(404, "not-found");
        var posted = await client.AddScoreAsync(user, 321);

        var first = await client.GetScoreAsync(user);
        var second = await client.FetchAsync($"{SandboxCalls.Score}/{user}");

        first.IsOk();
        Shape.Score(first.Json);
        Assert.Equal(321, first.Json.Int("previous"));
        Assert.Equal(321, first.Json.Int("current"));
        Assert.Equal("silver", first.Json.Str("tier_name"));
        Assert.Equal(posted.Str("updated_at"), first.Json.Str("updated_at"));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(321, await client.CurrentScoreAsync(user));
    }

    [Theory]
    [InlineData("?metric=points", "metric")]
    [InlineData("?metric=Tier", "metric")]
    public async Task Get_score_with_another_metric_is_400(string query, string field)
    {
        var user = Ids.User("metric");
        await _sandbox.Client1.AddScoreAsync(user, 1);

        (await _sandbox.Client1.FetchAsync($"{SandboxCalls.Score}/{user}{query}")).IsValidation(field);
    }

    [Theory]
    [InlineData("a%20b")]
    [InlineData("%C3%A5lice")]
    [InlineData("a%2Bb")]
    public async Task Get_score_with_an_invalid_user_id_is_400(string escapedUser)
    {
        (await _sandbox.Client1.FetchAsync($"{SandboxCalls.Score}/{escapedUser}")).IsValidation("userId");
    }

    [Fact]
    public async Task Get_score_of_a_129_character_user_is_400_and_128_is_found()
    {
        var client = _sandbox.Client1;
        var user = (Ids.User("len") + new string('q', 128))[..128];
        await client.AddScoreAsync(user, 2);

        (await client.FetchAsync($"{SandboxCalls.Score}/{user}q")).IsValidation("userId");
        (await client.GetScoreAsync(user)).IsOk();
    }

    [Fact]
    public async Task Leaderboard_limits_entries_and_total_counts_every_user_with_a_score()
    {
        var client = _sandbox.FreshTenant();
        for (var i = 1; i <= 12; i++) await client.AddScoreAsync($"player{i:D2}", i * 100);

        var top1 = await client.LeaderboardAsync(1);
        var byDefault = await client.LeaderboardAsync();
        var all = await client.LeaderboardAsync(1000);

        Assert.Equal(12, top1.Int("total"));
        var only = Assert.Single(top1.GetProperty("entries").EnumerateArray());
        Assert.Equal("player12", only.Str("userId"));
        Assert.Equal(1200, only.Int("score"));
        Assert.Equal("platinum", only.Str("tier_name"));
        Assert.Equal(10, byDefault.GetProperty("entries").GetArrayLength());
        Assert.Equal(12, byDefault.Int("total"));
        var entries = all.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(12, entries.Count);
        Assert.Equal(Enumerable.Range(1, 12).Select(r => (long)r), entries.Select(e => e.Int("rank")));
        Assert.Equal(Enumerable.Range(1, 12).Reverse().Select(i => i * 100L), entries.Select(e => e.Int("score")));
        Assert.Equal("bronze", entries[^1].Str("tier_name"));
        Assert.Equal("silver", entries[^3].Str("tier_name"));
    }

    [Theory]
    [InlineData("type=leaderboard&metric=tier&limit=0", "limit")]
    [InlineData("type=leaderboard&metric=tier&limit=1001", "limit")]
    [InlineData("type=leaderboard&metric=tier&limit=ten", "limit")]
    [InlineData("type=leaderboard&metric=tier&limit=", "limit")]
    [InlineData("type=leaderboard&metric=gifts_redeemed", "metric")]
    public async Task Bad_leaderboard_parameter_is_400_naming_it(string query, string field)
    {
        (await _sandbox.Client1.FetchAsync($"{SandboxCalls.Analytics}?{query}")).IsValidation(field);
    }
}
