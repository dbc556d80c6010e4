using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace GiftStudio.Sandbox.Http;

/// <summary>One spelling of a JSON value, for comparing content rather than bytes: no
/// whitespace, object properties sorted by name (ordinal; duplicates keep their order), strings
/// re-escaped from their decoded text, numbers as their literal text (500 and 500.0 stay
/// different, as the validation rules treat them differently).</summary>
public static class CanonicalJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <returns>The canonical UTF-8 text, or null when the body is not JSON.</returns>
    public static byte[]? TryWrite(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, Options);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, document.RootElement);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or a string with an unpaired surrogate: the bytes decide.
            return null;
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = element.EnumerateObject().ToArray();
                // A stable sort: duplicate names (refused later by validation) keep their order.
                var sorted = properties.Length < 2 ? properties : properties.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
                foreach (var property in sorted)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
