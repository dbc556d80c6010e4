using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Every rule of the Part B validation table, strict JSON typing, and the body rules
/// (malformed JSON, wrong content type; the 64 KiB limit is in <see cref="TransportTests"/>).
/// Every refusal is a problem+json naming the field, never a 5xx (the latter is checked on every
/// call by <see cref="Invariants"/>).</summary>
public sealed class ValidationTests : IClassFixture<SharedInProcessSandbox>
{
    private const string Emoji = "\U0001F381"; // 🎁, one code point, two UTF-16 units
    private readonly SharedInProcessSandbox _sandbox;

    public ValidationTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    private static string GiftWith(string nameJson = "\"Gift\"", string tierJson = "\"gold\"", string rewardJson = "500", string extra = "") =>
        $$"""{"name":{{nameJson}},"tier":{{tierJson}},"reward":{{rewardJson}}{{extra}}}""";

    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    public static TheoryData<string, string> InvalidGifts() => new()
    {
        // name
        { """{"tier":"gold","reward":1}""", "name" },
        { GiftWith(nameJson: "null"), "name" },
        { GiftWith(nameJson: "\"\""), "name" },
        { GiftWith(nameJson: "\"   \\t  \""), "name" },
        { GiftWith(nameJson: Quoted(new string('n', 101))), "name" },
        { GiftWith(nameJson: Quoted(string.Concat(Enumerable.Repeat(Emoji, 101)))), "name" },
        { GiftWith(nameJson: "\"bell\\u0007\""), "name" },
        { GiftWith(nameJson: "\"del\\u007f\""), "name" },
        { GiftWith(nameJson: "\"line\\nbreak\""), "name" },
        { GiftWith(nameJson: "\"zero\\u200Bwidth\""), "name" },
        { GiftWith(nameJson: "\"bom\\uFEFF\""), "name" },
        { GiftWith(nameJson: "\"half\\ud800\""), "name" },
        { GiftWith(nameJson: "\"\\udc00low\""), "name" },
        { GiftWith(nameJson: "\"swapped\\udc00\\ud800\""), "name" },
        { GiftWith(nameJson: "42"), "name" },
        { GiftWith(nameJson: "[\"Gift\"]"), "name" },
        { GiftWith(nameJson: "{}"), "name" },
        // tier
        { """{"name":"Gift","reward":1}""", "tier" },
        { GiftWith(tierJson: "\"diamond\""), "tier" },
        { GiftWith(tierJson: "\"\""), "tier" },
        { GiftWith(tierJson: "2"), "tier" },
        { GiftWith(tierJson: "null"), "tier" },
        // reward: strictly an integer from 1 to 1,000,000
        { """{"name":"Gift","tier":"gold"}""", "reward" },
        { """{"name":"Gift","tier":"gold","Reward":500}""", "reward" },
        { """{"name":"Gift","tier":"gold","REWARD":500}""", "reward" },
        { GiftWith(rewardJson: "null"), "reward" },
        { GiftWith(rewardJson: "0"), "reward" },
        { GiftWith(rewardJson: "-1"), "reward" },
        { GiftWith(rewardJson: "1000001"), "reward" },
        { GiftWith(rewardJson: "\"500\""), "reward" },
        { GiftWith(rewardJson: "500.0"), "reward" },
        { GiftWith(rewardJson: "5e2"), "reward" },
        { GiftWith(rewardJson: "5E2"), "reward" },
        { GiftWith(rewardJson: "1.5"), "reward" },
        { GiftWith(rewardJson: "true"), "reward" },
        { GiftWith(rewardJson: "[500]"), "reward" },
        { GiftWith(rewardJson: "99999999999999999999999"), "reward" },
        { GiftWith(extra: ",\"reward\":600"), "reward" },
        // badge: a boolean
        { GiftWith(extra: ",\"badge\":\"true\""), "badge" },
        { GiftWith(extra: ",\"badge\":1"), "badge" },
        { GiftWith(extra: ",\"badge\":{}"), "badge" },
        // expires: RFC 3339, later than the server's now (a past one is a 400, not a 422)
        { GiftWith(extra: ",\"expires\":\"2020-01-01T00:00:00Z\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"2030-01-01\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"2030-01-01T00:00:00\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"2030-13-01T00:00:00Z\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"2030-01-01T25:00:00Z\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"next week\""), "expires" },
        { GiftWith(extra: ",\"expires\":\"\""), "expires" },
        { GiftWith(extra: ",\"expires\":20300101"), "expires" },
        { GiftWith(extra: ",\"expires\":\"9999-12-31T23:59:59-01:00\""), "expires" },
    };

    [Theory]
    [MemberData(nameof(InvalidGifts))]
    public async Task Invalid_gift_is_400_naming_the_field(string json, string field)
    {
        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, json);

        answer.IsValidation(field);
    }

    public static TheoryData<string, string, string, long, bool, string?> ValidGifts() => new()
    {
        { GiftWith(rewardJson: "1"), "Gift", "gold", 1, false, null },
        { GiftWith(rewardJson: "1000000"), "Gift", "gold", 1_000_000, false, null },
        { GiftWith(nameJson: "\"  Spaced out \\t\""), "Spaced out", "gold", 500, false, null },
        { GiftWith(nameJson: Quoted(new string('n', 100))), new string('n', 100), "gold", 500, false, null },
        { GiftWith(nameJson: Quoted(string.Concat(Enumerable.Repeat(Emoji, 100)))), string.Concat(Enumerable.Repeat(Emoji, 100)), "gold", 500, false, null },
        { GiftWith(nameJson: "\"x\""), "x", "gold", 500, false, null },
        { GiftWith(nameJson: "\"Caf\\u00e9 <&> \\\"quoted\\\"\""), "Café <&> \"quoted\"", "gold", 500, false, null },
        { GiftWith(tierJson: "\"GOLD\""), "Gift", "gold", 500, false, null },
        { GiftWith(tierJson: "\"Platinum\""), "Gift", "platinum", 500, false, null },
        { GiftWith(tierJson: "\"sIlVeR\""), "Gift", "silver", 500, false, null },
        { GiftWith(tierJson: "\"bronze\""), "Gift", "bronze", 500, false, null },
        { GiftWith(extra: ",\"badge\":true"), "Gift", "gold", 500, true, null },
        { GiftWith(extra: ",\"badge\":false"), "Gift", "gold", 500, false, null },
        { GiftWith(extra: ",\"badge\":null,\"expires\":null"), "Gift", "gold", 500, false, null },
        { GiftWith(extra: ",\"expires\":\"2099-01-01T02:00:00+02:00\""), "Gift", "gold", 500, false, "2099-01-01T00:00:00Z" },
        { GiftWith(extra: ",\"expires\":\"2099-06-30T23:59:59Z\""), "Gift", "gold", 500, false, "2099-06-30T23:59:59Z" },
        { GiftWith(extra: ",\"Name\":\"ignored\",\"unknown\":{\"nested\":[1,2.5,\"x\"]},\"badge_included\":true"), "Gift", "gold", 500, false, null },
    };

    [Theory]
    [MemberData(nameof(ValidGifts))]
    public async Task Valid_gift_is_accepted_and_normalized(string json, string name, string tier, long reward, bool badge, string? expires)
    {
        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Gifts, json);

        answer.IsOk();
        var gift = answer.Json;
        Shape.Gift(gift);
        Assert.Equal(name, gift.Str("name"));
        Assert.Equal(tier, gift.Str("tier"));
        Assert.Equal(reward, gift.Int("reward"));
        Assert.Equal(badge, gift.GetProperty("badge_included").GetBoolean());
        Assert.Equal(expires, gift.Str("expires"));
    }

    private static string ScoreWith(string userJson = "\"alice.kred\"", string metricJson = "\"tier\"", string actionJson = "\"adjustment\"",
        string valueJson = "5", string extra = "") =>
        $$"""{"userId":{{userJson}},"metric":{{metricJson}},"action":{{actionJson}},"value":{{valueJson}}{{extra}}}""";

    public static TheoryData<string, string> InvalidScores() => new()
    {
        // userId: 1-128 of [A-Za-z0-9._-@], not "." or ".."
        { """{"metric":"tier","action":"adjustment","value":5}""", "userId" },
        { ScoreWith(userJson: "null"), "userId" },
        { ScoreWith(userJson: "\"\""), "userId" },
        { ScoreWith(userJson: Quoted(new string('u', 129))), "userId" },
        { ScoreWith(userJson: "\".\""), "userId" },
        { ScoreWith(userJson: "\"..\""), "userId" },
        { ScoreWith(userJson: "\"alice kred\""), "userId" },
        { ScoreWith(userJson: "\" alice\""), "userId" },
        { ScoreWith(userJson: "\"\\u00e5lice\""), "userId" },
        { ScoreWith(userJson: "\"\\u0430lice\""), "userId" },
        { ScoreWith(userJson: "\"a/b\""), "userId" },
        { ScoreWith(userJson: "\"a+b\""), "userId" },
        { ScoreWith(userJson: "\"a:b\""), "userId" },
        { ScoreWith(userJson: "\"a\\u0000b\""), "userId" },
        { ScoreWith(userJson: "42"), "userId" },
        { """{"userid":"alice","metric":"tier","action":"adjustment","value":5}""", "userId" },
        // metric: tier
        { """{"userId":"alice","action":"adjustment","value":5}""", "metric" },
        { ScoreWith(metricJson: "\"Tier\""), "metric" },
        { ScoreWith(metricJson: "\"points\""), "metric" },
        { ScoreWith(metricJson: "\"\""), "metric" },
        { ScoreWith(metricJson: "1"), "metric" },
        // action: gift_redeemed or adjustment
        { """{"userId":"alice","metric":"tier","value":5}""", "action" },
        { ScoreWith(actionJson: "\"redeem\""), "action" },
        { ScoreWith(actionJson: "\"Gift_Redeemed\""), "action" },
        { ScoreWith(actionJson: "\"ADJUSTMENT\""), "action" },
        { ScoreWith(actionJson: "\"\""), "action" },
        { ScoreWith(actionJson: "true"), "action" },
        // value: an integer, |value| <= 1,000,000
        { """{"userId":"alice","metric":"tier","action":"adjustment"}""", "value" },
        { ScoreWith(valueJson: "null"), "value" },
        { ScoreWith(valueJson: "\"500\""), "value" },
        { ScoreWith(valueJson: "500.0"), "value" },
        { ScoreWith(valueJson: "5e2"), "value" },
        { ScoreWith(valueJson: "1.5"), "value" },
        { ScoreWith(valueJson: "-0.0"), "value" },
        { ScoreWith(valueJson: "true"), "value" },
        { ScoreWith(valueJson: "1000001"), "value" },
        { ScoreWith(valueJson: "-1000001"), "value" },
        { ScoreWith(valueJson: "9223372036854775808"), "value" },
        { ScoreWith(valueJson: "1e400"), "value" },
        { ScoreWith(actionJson: "\"gift_redeemed\"", valueJson: "1000001"), "value" },
        { """{"userId":"alice","metric":"tier","action":"adjustment","Value":5}""", "value" },
        // giftId: a string
        { ScoreWith(actionJson: "\"gift_redeemed\"", extra: ",\"giftId\":123"), "giftId" },
    };

    [Theory]
    [MemberData(nameof(InvalidScores))]
    public async Task Invalid_score_update_is_400_naming_the_field(string json, string field)
    {
        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Score, json);

        answer.IsValidation(field);
    }

    [Theory]
    [InlineData("a.b_c-d@e")]
    [InlineData("A")]
    [InlineData("...")]
    [InlineData("9")]
    [InlineData("@")]
    public async Task Valid_user_ids_are_accepted(string user)
    {
        var client = _sandbox.FreshTenant();

        var score = await client.AddScoreAsync(user, 7);

        Assert.Equal(user, score.Str("userId"));
        var read = await client.GetScoreAsync(user);
        read.IsOk();
        Assert.Equal(user, read.Json.Str("userId"));
    }

    [Fact]
    public async Task User_id_of_128_characters_is_accepted_and_readable()
    {
        var user = (Ids.User("long") + new string('z', 128))[..128];

        var score = await _sandbox.Client1.AddScoreAsync(user, 1);

        Assert.Equal(user, score.Str("userId"));
        Assert.Equal(1, await _sandbox.Client1.CurrentScoreAsync(user));
    }

    [Fact]
    public async Task Value_bounds_one_million_are_accepted()
    {
        var client = _sandbox.Client1;
        var user = Ids.User("million");

        Assert.Equal(1_000_000, (await client.AddScoreAsync(user, 1_000_000, "gift_redeemed")).Int("current"));
        Assert.Equal(2_000_000, (await client.AddScoreAsync(user, 1_000_000)).Int("current"));
        Assert.Equal(1_000_000, (await client.AddScoreAsync(user, -1_000_000)).Int("current"));
        Assert.Equal(0, (await client.AddScoreAsync(user, -1_000_000)).Int("current"));
    }

    [Fact]
    public async Task Unknown_properties_and_null_gift_id_are_ignored_in_a_score_update()
    {
        var user = Ids.User("extra");
        var json = ScoreWith(userJson: Quoted(user), valueJson: "3", extra: ",\"giftId\":null,\"note\":[{\"deep\":true}],\"current\":999");

        var answer = await _sandbox.Client1.PostJsonAsync(SandboxCalls.Score, json);

        answer.IsOk();
        Assert.Equal(3, answer.Json.Int("current"));
    }

    [Fact]
    public async Task Gift_id_is_allowed_only_with_gift_redeemed()
    {
        var giftId = await _sandbox.Client1.NewGiftAsync();
        var user = Ids.User("adj-gift");

        (await _sandbox.Client1.ScoreAsync(user, 5, "adjustment", giftId)).IsValidation("giftId");

        Assert.Null(await _sandbox.Client1.CurrentScoreAsync(user));
    }

    public static TheoryData<string, byte[]> MalformedBodies()
    {
        var data = new TheoryData<string, byte[]>();
        foreach (var route in new[] { SandboxCalls.Gifts, SandboxCalls.Score })
        {
            foreach (var text in new[]
            {
                "", " ", "{", "{\"name\":", "{'name':'x'}", "{\"name\":\"x\",}", "{\"name\":\"x\"} trailing", "{} {}",
                "[]", "[{\"name\":\"Gift\",\"tier\":\"gold\",\"reward\":1}]", "\"text\"", "42", "null", "true",
                "/* comment */ {\"name\":\"Gift\",\"tier\":\"gold\",\"reward\":1}",
                "{\"x\":" + new string('[', 200) + new string(']', 200) + ",\"name\":\"Gift\",\"tier\":\"gold\",\"reward\":1}",
                "{\"\\ud800\":1,\"name\":\"Gift\",\"tier\":\"gold\",\"reward\":1}",
                "{\"name\":\"Gift\",\"tier\":\"gold\",\"reward\":1,\"name\":\"Again\"}",
            })
            {
                data.Add(route, Encoding.UTF8.GetBytes(text));
            }
            // Not UTF-8: a lone 0xFF, and the 3-byte encoding of a surrogate (CESU-style).
            data.Add(route, Encoding.UTF8.GetBytes("{\"name\":\"x").Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("\",\"tier\":\"gold\",\"reward\":1}")).ToArray());
            data.Add(route, Encoding.UTF8.GetBytes("{\"name\":\"x").Concat(new byte[] { 0xED, 0xA0, 0x80 }).Concat(Encoding.UTF8.GetBytes("\",\"tier\":\"gold\",\"reward\":1}")).ToArray());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_or_non_object_body_is_400(string route, byte[] body)
    {
        var answer = await _sandbox.Client1.PostBytesAsync(route, body, "application/json");

        answer.Is(400);
    }

    [Theory]
    [InlineData(SandboxCalls.Gifts, "text/plain")]
    [InlineData(SandboxCalls.Gifts, null)]
    [InlineData(SandboxCalls.Gifts, "application/x-www-form-urlencoded")]
    [InlineData(SandboxCalls.Gifts, "application/xml")]
    [InlineData(SandboxCalls.Gifts, "application/json; charset=utf-16")]
    [InlineData(SandboxCalls.Gifts, "application/problem+json")]
    [InlineData(SandboxCalls.Score, "text/json")]
    [InlineData(SandboxCalls.Score, null)]
    [InlineData(SandboxCalls.Score, "multipart/form-data; boundary=x")]
    public async Task Wrong_content_type_is_415(string route, string? contentType)
    {
        var json = route == SandboxCalls.Gifts ? GiftWith() : ScoreWith(userJson: Quoted(Ids.User("ct")));

        var answer = await _sandbox.Client1.PostBytesAsync(route, Encoding.UTF8.GetBytes(json), contentType);

        answer.Is(415);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json")]
    public async Task Json_content_types_are_accepted(string contentType)
    {
        var answer = await _sandbox.Client1.PostBytesAsync(SandboxCalls.Gifts, Encoding.UTF8.GetBytes(GiftWith()), contentType);

        answer.IsOk();
    }
}
