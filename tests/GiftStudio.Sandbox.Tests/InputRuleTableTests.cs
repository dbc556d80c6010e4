using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Every case of tests/Shared/InputRules.json sent to the sandbox: 400 naming the field
/// for a refused case, 2xx for an accepted one. The module's check runs the same table
/// (GiftStudio.Core.Tests InputRuleTableTests), so the two agree.</summary>
public sealed class InputRuleTableTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public InputRuleTableTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        foreach (var row in InputRuleTable.Indexes()) data.Add((int)row[0], (string)row[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheSandboxRefusesExactlyWhatTheContractRefuses(int index, string label)
    {
        var row = InputRuleTable.Cases[index];
        var client = _sandbox.Client1;
        var body = new Dictionary<string, object?>();
        if (row.Request == "gift")
        {
            body["name"] = "Table gift";
            body["tier"] = "gold";
            body["reward"] = 1;
            body[row.Field] = row.Input;
            var answer = await client.PostJsonAsync(SandboxCalls.Gifts, JsonSerializer.Serialize(body));
            AssertAgrees(row, label, answer);
            return;
        }
        // A user of its own, with room for any negative adjustment in the table.
        var user = $"table.user{index}";
        await client.AddScoreAsync(user, 1_000_000);
        body["userId"] = user;
        body["metric"] = "tier";
        body["action"] = row.Action ?? "gift_redeemed";
        body["value"] = 1;
        body[row.Field] = row.Input;
        AssertAgrees(row, label, await client.PostJsonAsync(SandboxCalls.Score, JsonSerializer.Serialize(body)));
    }

    private static void AssertAgrees(InputRuleCase row, string label, Answer answer)
    {
        if (row.Accepted)
        {
            Assert.True(answer.Status is >= 200 and < 300, $"{label}: {answer}");
            return;
        }
        Assert.True(answer.Status == 400, $"{label}: {answer}");
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty(row.Field, out _), $"{label}: the 400 does not name {row.Field}: {answer}");
    }
}
