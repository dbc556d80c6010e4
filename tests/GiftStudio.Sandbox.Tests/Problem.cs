using System;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>RFC 9457 problem details as the contract states them.</summary>
public static class Problem
{
    public const string TypeBase = "https://docs.socialos.io/errors/";

    public static void AssertWellFormed(Answer answer, string request)
    {
        Assert.True(answer.MediaType == "application/problem+json", $"{request}: a {answer.Status} must be application/problem+json. {answer}");
        var json = answer.Json;
        Assert.True(json.ValueKind == JsonValueKind.Object, $"{request}: problem is not an object. {answer}");
        Assert.True(json.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && Uri.TryCreate(type.GetString(), UriKind.Absolute, out _), $"{request}: problem type. {answer}");
        Assert.True(json.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString()!.Length > 0,
            $"{request}: problem title. {answer}");
        Assert.True(json.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.GetInt32() == answer.Status,
            $"{request}: problem status. {answer}");
        Assert.True(json.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString()!.Length > 0,
            $"{request}: problem detail. {answer}");
        if (json.TryGetProperty("errors", out var errors))
        {
            Assert.True(errors.ValueKind == JsonValueKind.Object, $"{request}: errors is not an object. {answer}");
            foreach (var field in errors.EnumerateObject())
            {
                Assert.True(field.Value.ValueKind == JsonValueKind.Array && field.Value.GetArrayLength() > 0
                    && field.Value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String),
                    $"{request}: errors.{field.Name} is not an array of messages. {answer}");
            }
        }
    }

    /// <summary>Asserts the status, the type (…/errors/<paramref name="type"/>) and that
    /// `errors` names <paramref name="field"/>.</summary>
    public static JsonElement Is(this Answer answer, int status, string? type = null, string? field = null)
    {
        Assert.True(answer.Status == status, $"expected {status}, got {answer}");
        AssertWellFormed(answer, "");
        if (type is not null) Assert.Equal(TypeBase + type, answer.Json.Str("type"));
        if (field is not null)
        {
            Assert.True(answer.Json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"expected errors to name '{field}': {answer}");
        }
        return answer.Json;
    }

    public static JsonElement IsValidation(this Answer answer, string field) => answer.Is(400, "validation", field);

    public static void IsOk(this Answer answer) => Assert.True(answer.Status == 200, $"expected 200, got {answer}");
}
