using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

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

/// <summary>The shared table of input rules, read from the copy beside the test assembly. Both
/// xUnit projects run every case: the module's check must refuse exactly what the sandbox answers
/// with a 400.</summary>
public static class InputRuleTable
{
    public static readonly IReadOnlyList<InputRuleCase> Cases = Load();

    /// <summary>Theory data: the case's index (xUnit shows the case through the label).</summary>
    public static IEnumerable<object[]> Indexes() => Cases.Select(c => new object[] { c.Index, c.ToString() });

    private static IReadOnlyList<InputRuleCase> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "InputRules.json")));
        return document.RootElement.GetProperty("rows").EnumerateArray().Select((row, index) => new InputRuleCase(
            index,
            row.GetProperty("request").GetString()!,
            row.GetProperty("field").GetString()!,
            row.GetProperty("input").Clone(),
            row.TryGetProperty("action", out var action) ? action.GetString() : null,
            row.GetProperty("expected").GetString() switch
            {
                "accepted" => true,
                "refused" => false,
                var other => throw new InvalidDataException($"InputRules.json row {index}: expected must be accepted or refused, not '{other}'."),
            },
            row.TryGetProperty("note", out var note) ? note.GetString() : null)).ToList();
    }
}
