using System;
using System.Collections.Generic;

namespace GiftStudio.Sandbox;

/// <summary>An RFC 9457 problem the API answers with. Thrown anywhere in request handling and
/// written by one middleware, so every error has the same shape.</summary>
public sealed class ApiProblem : Exception
{
    public const string TypeBase = "https://docs.socialos.io/errors/";

    public ApiProblem(int status, string type, string title, string detail, IDictionary<string, string[]>? errors = null)
        : base(detail)
    {
        Status = status;
        Type = TypeBase + type;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    public int Status { get; }
    public string Type { get; }
    public string Title { get; }
    public string Detail { get; }
    public IDictionary<string, string[]>? Errors { get; }
    public IReadOnlyList<string>? Allow { get; init; }
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Idempotency: 2xx and 4xx other than 409 and 429 are final and kept for the key.</summary>
    public bool IsFinal => Status is >= 400 and < 500 and not 409 and not 429;

    public static ApiProblem Validation(string field, string rule) =>
        new(400, "validation", "Invalid request", $"{field} {rule}", new Dictionary<string, string[]> { [field] = new[] { rule } });

    /// <summary>Several fields at once; the detail lists each (one field reads as before).</summary>
    public static ApiProblem Validation(IDictionary<string, string[]> errors)
    {
        var parts = new List<string>();
        foreach (var (field, rules) in errors)
        {
            foreach (var rule in rules) parts.Add($"{field} {rule}");
        }
        var detail = parts.Count == 1 ? parts[0] : $"{errors.Count} fields are invalid: {string.Join("; ", parts)}";
        return new(400, "validation", "Invalid request", detail, errors);
    }

    public static ApiProblem Malformed(string detail) =>
        new(400, "malformed-request", "Malformed request", detail, new Dictionary<string, string[]> { ["body"] = new[] { detail } });

    public static ApiProblem NotFound(string detail) => new(404, "not-found", "Not found", detail);

    public static ApiProblem Unprocessable(string field, string rule) =>
        new(422, "unprocessable", "Rule broken", $"{field} {rule}", new Dictionary<string, string[]> { [field] = new[] { rule } });

    public static ApiProblem Unauthorized(string detail) => new(401, "unauthorized", "Unauthorized", detail);
}
