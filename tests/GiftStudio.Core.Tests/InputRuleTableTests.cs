using System;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The module's own check (StrictInput.Gift and StrictInput.ScoreUpdate, SandboxSeed, what the cmdlets
/// run before ShouldProcess) against every case of tests/Shared/InputRules.json; the sandbox runs
/// the same table (GiftStudio.Sandbox.Tests InputRuleTableTests), so the two agree.</summary>
public sealed class InputRuleTableTests
{
    [Theory]
    [MemberData(nameof(InputRuleTable.CaseData), MemberType = typeof(InputRuleTable))]
    public void TheModuleRefusesExactlyWhatTheContractRefuses(int index, string label)
    {
        var row = InputRuleTable.Cases[index];
        var refusal = Record.Exception(() => Check(row));
        if (row.Accepted)
        {
            Assert.True(refusal is null, $"{label}: refused with {refusal?.Message}");
            return;
        }
        var input = Assert.IsType<SocialOsInputException>(refusal);
        var parameter = char.ToUpperInvariant(row.Field[0]) + row.Field.Substring(1);
        Assert.Equal("Invalid" + parameter, input.ErrorId);
        Assert.Equal(CallOutcome.Refused, input.Outcome);
        Assert.Equal(WriteRecovery.FixAndSendAsNew, input.Recovery);
        Assert.StartsWith(parameter + " must", input.Message, StringComparison.Ordinal);
    }

    /// <summary>Start-SocialSandbox -Seed: the module refuses exactly what the sandbox's --seed refuses.</summary>
    [Theory]
    [MemberData(nameof(InputRuleTable.SeedCaseData), MemberType = typeof(InputRuleTable))]
    public void TheModuleRefusesExactlyTheSeedsTheSandboxRefuses(int index, string label)
    {
        var row = InputRuleTable.SeedCases[index];
        var refusal = Record.Exception(() => SandboxSeed.Argument(row.Values));
        if (row.Accepted)
        {
            Assert.True(refusal is null, $"{label}: refused with {refusal?.Message}");
            Assert.Equal(row.Input, SandboxSeed.Argument(row.Values));
            return;
        }
        var input = Assert.IsType<SocialOsInputException>(refusal);
        Assert.Equal(ErrorIds.InvalidSeed, input.ErrorId);
        Assert.StartsWith("Seed must", input.Message, StringComparison.Ordinal);
    }

    private static void Check(InputRuleCase row)
    {
        if (row.Request == "gift")
        {
            StrictInput.Gift(
                row.Field == "name" ? row.Value : "Table gift",
                row.Field == "tier" ? (string?)row.Value : "gold",
                row.Field == "reward" ? row.Value : 1L,
                badge: false, expires: null);
            return;
        }
        StrictInput.ScoreUpdate(
            row.Field == "userId" ? row.Value : "table.user",
            row.Field == "value" ? row.Value : 1L,
            row.Field == "action" ? (string?)row.Value : row.Action,
            giftId: null);
    }
}
