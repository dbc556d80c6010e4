using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GiftStudio.Sandbox;

/// <summary>Reads a request body as the contract demands: one JSON object, property names
/// matched exactly, no duplicates, JSON types matched strictly ("500" is not a number,
/// 500.0 and 5e2 are not integers). Every failure is a 400 naming the field and the rule.</summary>
public sealed class StrictJson : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    private readonly JsonDocument _document;
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);

    private StrictJson(JsonDocument document)
    {
        _document = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw ApiProblem.Malformed($"The body must be a JSON object, not {Describe(document.RootElement.ValueKind)}.");
        var duplicates = new FieldErrors();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            string name;
            try { name = property.Name; }
            catch (InvalidOperationException) { throw ApiProblem.Malformed("A property name is not valid UTF-16 (unpaired surrogate)."); }
            if (!_properties.TryAdd(name, property.Value) && !duplicates.Has(name))
                duplicates.Add(name, "must appear only once");
            _names.Add(name);
        }
        duplicates.ThrowIfAny();
    }

    private readonly List<string> _names = new();

    /// <summary>The body's property names not in <paramref name="known"/>, in body order, once each.</summary>
    public IReadOnlyList<string> UnknownProperties(IReadOnlyCollection<string> known)
    {
        var unknown = new List<string>();
        foreach (var name in _names)
        {
            if (!known.Contains(name) && !unknown.Contains(name)) unknown.Add(name);
        }
        return unknown;
    }

    public static StrictJson Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty) throw ApiProblem.Malformed("The body is empty: a JSON object is required.");
        try
        {
            return new StrictJson(JsonDocument.Parse(body, DocumentOptions));
        }
        catch (JsonException e)
        {
            throw ApiProblem.Malformed($"The body is not valid JSON: {FirstSentence(e.Message)}");
        }
    }

    public string? OptionalString(string field)
    {
        if (!Present(field, out var element)) return null;
        if (element.ValueKind != JsonValueKind.String) throw WrongType(field, "a string", element);
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            throw ApiProblem.Validation(field, "must not contain unpaired surrogates");
        }
    }

    public string RequiredString(string field) =>
        OptionalString(field) ?? throw ApiProblem.Validation(field, "is required");

    public long? OptionalInteger(string field, long min, long max)
    {
        if (!Present(field, out var element)) return null;
        var range = $"must be an integer from {min} to {max}";
        if (element.ValueKind != JsonValueKind.Number) throw WrongType(field, "an integer", element);
        var raw = element.GetRawText();
        // The raw token decides: a fraction or exponent is not an integer even when whole.
        foreach (var c in raw)
        {
            if (c is '.' or 'e' or 'E') throw ApiProblem.Validation(field, $"{range} (got {Truncate(raw)}, not a whole number)");
        }
        if (!element.TryGetInt64(out var value) || value < min || value > max)
            throw ApiProblem.Validation(field, $"{range} (got {Truncate(raw)})");
        return value;
    }

    public long RequiredInteger(string field, long min, long max) =>
        OptionalInteger(field, min, max) ?? throw ApiProblem.Validation(field, "is required");

    public bool? OptionalBoolean(string field)
    {
        if (!Present(field, out var element)) return null;
        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(field, "true or false", element),
        };
    }

    public void Dispose() => _document.Dispose();

    /// <summary>Absent and null both mean "not given".</summary>
    private bool Present(string field, out JsonElement element) =>
        _properties.TryGetValue(field, out element) && element.ValueKind != JsonValueKind.Null;

    private static ApiProblem WrongType(string field, string expected, JsonElement got) =>
        ApiProblem.Validation(field, $"must be {expected}, not {Describe(got.ValueKind)}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
