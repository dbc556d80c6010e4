using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GiftStudio.Testing;

/// <summary>One case of tests/Shared/InputRules.json: one field of a gift or a score update,
/// the value given, and whether the contract accepts it.</summary>
public sealed record InputRuleCase(int Index, string Request, string Field, JsonElement Input, string? Action, bool Accepted, string? Note)
{
    /// <summary>The input as the module's parameter would get it: text, or a whole number.</summary>
    public object? Value => Input.ValueKind == JsonValueKind.Number ? Input.GetInt64() : Input.GetString();

    public override string ToString() =>
        $"#{Index} {Request}.{Field} = {Input.GetRawText()}{(Action is null ? "" : $" (action {Action})")} should be {(Accepted ? "accepted" : "refused")}{(Note is null ? "" : $" ({Note})")}";
}

/// <summary>One seed case of tests/Shared/InputRules.json: Start-SocialSandbox -Seed as the
/// sandbox's --seed text (USERS,DAYS[,EVENTS]), and whether both sides accept it.</summary>
public sealed record SeedRuleCase(int Index, string Input, bool Accepted)
{
    /// <summary>The value as -Seed binds it (an int[]).</summary>
    public int[] Values => Input.Split(',').Select(int.Parse).ToArray();

    public override string ToString() => $"seed #{Index} '{Input}' should be {(Accepted ? "accepted" : "refused")}";
}

/// <summary>The shared table of input rules, read from the copy beside the test assembly. Both
/// xUnit projects run every case: the module's check must refuse exactly what the sandbox answers
/// with a 400.</summary>
public static class InputRuleTable
{
    public static readonly IReadOnlyList<InputRuleCase> Cases = Load();

    public static readonly IReadOnlyList<SeedRuleCase> SeedCases = LoadSeeds();

    /// <summary>Theory data: the case's index (xUnit shows the case through the label).</summary>
    public static TheoryData<int, string> CaseData() => Data(Cases.Select(c => (c.Index, c.ToString())));

    /// <summary>Theory data of the seed cases.</summary>
    public static TheoryData<int, string> SeedCaseData() => Data(SeedCases.Select(c => (c.Index, c.ToString())));

    private static TheoryData<int, string> Data(IEnumerable<(int Index, string Label)> cases)
    {
        var data = new TheoryData<int, string>();
        foreach (var (index, label) in cases) data.Add(index, label);
        return data;
    }

    private static JsonDocument Read() => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "InputRules.json")));

    private static bool Expected(JsonElement row, int index) => row.GetProperty("expected").GetString() switch
    {
        "accepted" => true,
        "refused" => false,
        var other => throw new InvalidDataException($"InputRules.json row {index}: expected must be accepted or refused, not '{other}'."),
    };

    private static IReadOnlyList<SeedRuleCase> LoadSeeds()
    {
        using var document = Read();
        return document.RootElement.GetProperty("seed").EnumerateArray()
            .Select((row, index) => new SeedRuleCase(index, row.GetProperty("input").GetString()!, Expected(row, index))).ToList();
    }

    private static IReadOnlyList<InputRuleCase> Load()
    {
        using var document = Read();
        return document.RootElement.GetProperty("rows").EnumerateArray().Select((row, index) => new InputRuleCase(
            index,
            row.GetProperty("request").GetString()!,
            row.GetProperty("field").GetString()!,
            row.GetProperty("input").Clone(),
            row.TryGetProperty("action", out var action) ? action.GetString() : null,
            Expected(row, index),
            row.TryGetProperty("note", out var note) ? note.GetString() : null)).ToList();
    }
}
