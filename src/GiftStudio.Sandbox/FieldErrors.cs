using System;
using System.Collections.Generic;

namespace GiftStudio.Sandbox;

/// <summary>Collects the field errors of one request, so that a body with four bad fields is
/// answered with all four in one problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string rule)
    {
        if (!_errors.TryGetValue(field, out var rules))
        {
            _errors[field] = rules = new List<string>();
            _order.Add(field);
        }
        if (!rules.Contains(rule)) rules.Add(rule);
    }

    /// <summary>Runs one field's check; a validation problem is noted and the default returned.</summary>
    public T? Check<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (ApiProblem problem) when (problem.Status == 400 && problem.Errors is { Count: > 0 } found && problem.Type == ApiProblem.TypeBase + "validation")
        {
            foreach (var (field, rules) in found)
            {
                foreach (var rule in rules) Add(field, rule);
            }
            return default;
        }
    }

    /// <summary>--strict-properties: each unknown property is an error naming it.</summary>
    public void RefuseUnknown(StrictJson body, IReadOnlyCollection<string> known)
    {
        foreach (var name in body.UnknownProperties(known))
            Add(name, $"is not a property of this request (known: {string.Join(", ", known)})");
    }

    public void ThrowIfAny()
    {
        if (_order.Count == 0) return;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var field in _order) errors[field] = _errors[field].ToArray();
        throw ApiProblem.Validation(errors);
    }
}
