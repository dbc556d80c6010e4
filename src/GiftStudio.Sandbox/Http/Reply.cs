using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>A finished response: status and serialized body. Kept as bytes so that an
/// idempotent replay returns exactly what was sent the first time.</summary>
public sealed record Reply(int Status, byte[] Body)
{
    public bool Replayed { get; init; }

    public static Reply Ok<T>(T value, JsonTypeInfo<T> type) => new(200, JsonSerializer.SerializeToUtf8Bytes(value, type));

    public static Reply From(ApiProblem problem) => new(problem.Status, JsonSerializer.SerializeToUtf8Bytes(
        new ProblemDto(problem.Type, problem.Title, problem.Status, problem.Detail, problem.Errors), WireJson.Wire.ProblemDto));

    /// <summary>The problem type of an error reply (read from its body, so stored replies have it too).</summary>
    public string? ProblemType()
    {
        if (Status < 400) return null;
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public Task WriteAsync(HttpContext context)
    {
        var notes = RequestNotes.Of(context);
        notes.ProblemType = ProblemType();
        notes.Replayed = Replayed;
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = Status >= 400 ? "application/problem+json" : "application/json; charset=utf-8";
        if (Replayed) response.Headers["Idempotent-Replayed"] = "true";
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body, 0, Body.Length, context.RequestAborted);
    }

    public static async Task WriteProblemAsync(HttpContext context, ApiProblem problem)
    {
        var response = context.Response;
        if (problem.Allow is { } allow) response.Headers.Allow = string.Join(", ", allow);
        if (problem.RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (problem.Status == 401) response.Headers.WWWAuthenticate = "Bearer realm=\"SocialOS sandbox\"";
        await From(problem).WriteAsync(context);
    }
}

public static class ProblemErrors
{
    public static Dictionary<string, string[]> One(string field, string message) => new() { [field] = new[] { message } };
}
