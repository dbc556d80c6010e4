using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Storage;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Every case of tests/Shared/InputRules.json sent to the sandbox: 400 naming the field
/// for a refused case, 2xx for an accepted one. The module's check runs the same table
/// (GiftStudio.Core.Tests InputRuleTableTests), so the two agree.</summary>
public sealed class InputRuleTableTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public InputRuleTableTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Theory]
    [MemberData(nameof(InputRuleTable.CaseData), MemberType = typeof(InputRuleTable))]
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

    /// <summary>--seed: the sandbox refuses exactly what Start-SocialSandbox -Seed refuses.</summary>
    [Theory]
    [MemberData(nameof(InputRuleTable.SeedCaseData), MemberType = typeof(InputRuleTable))]
    public void TheSandboxRefusesExactlyTheSeedsTheModuleRefuses(int index, string label)
    {
        var row = InputRuleTable.SeedCases[index];
        var refusal = Record.Exception(() => SeedSpec.Parse(row.Input));
        if (row.Accepted) Assert.True(refusal is null, $"{label}: refused with {refusal?.Message}");
        else Assert.True(refusal is System.ArgumentException, $"{label}: {(refusal is null ? "accepted" : refusal.GetType().Name)}");
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
