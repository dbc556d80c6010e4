using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text;
using System.Text.Json;

namespace GiftStudio.PowerShell;

/// <summary>PowerShell values to JSON request bodies and JSON answers to PowerShell values,
/// with System.Text.Json and no culture: numbers invariant, instants RFC 3339 UTC (as the
/// other cmdlets send them), strings never turned into dates on the way back.</summary>
internal static class JsonBody
{
    private const int MaxDepth = 64;

    /// <summary>The body as sent: a JSON string as given (checked to parse), anything else
    /// (hashtable, PSObject, array, scalar) serialized. Null for no body.</summary>
    public static byte[]? Serialize(object? body)
    {
        body = Unwrap(body);
        if (body == null) return null;
        if (body is string text)
        {
            // An empty CSV cell is no body, not an empty JSON document.
            if (text.Trim().Length == 0) return null;
            try
            {
                using (JsonDocument.Parse(text)) { }
            }
            catch (JsonException e)
            {
                throw new SocialOsInputException(ErrorIds.InvalidBody, "Body", Shorten(text), $"Body is a string but not JSON ({e.Message}); pass a hashtable or an object to have it serialized, or valid JSON text.");
            }
            return Encoding.UTF8.GetBytes(text);
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, body, 0);
        }
        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
            throw new SocialOsInputException(ErrorIds.InvalidBody, "Body", null, $"Body is nested deeper than {MaxDepth} levels (does an object contain itself?).");
        var psObject = value as PSObject;
        value = Unwrap(value);
        switch (value)
        {
            case null:
            case DBNull _:
                writer.WriteNullValue();
                return;
            case string s: writer.WriteStringValue(s); return;
            case char c: writer.WriteStringValue(c.ToString()); return;
            case bool b: writer.WriteBooleanValue(b); return;
            case SwitchParameter sw: writer.WriteBooleanValue(sw.IsPresent); return;
            case int i: writer.WriteNumberValue(i); return;
            case long l: writer.WriteNumberValue(l); return;
            case short sh: writer.WriteNumberValue(sh); return;
            case byte by: writer.WriteNumberValue(by); return;
            case sbyte sb: writer.WriteNumberValue(sb); return;
            case uint ui: writer.WriteNumberValue(ui); return;
            case ulong ul: writer.WriteNumberValue(ul); return;
            case ushort us: writer.WriteNumberValue(us); return;
            case decimal m: writer.WriteNumberValue(m); return;
            case double d:
                if (double.IsNaN(d) || double.IsInfinity(d)) throw NotFinite(d);
                writer.WriteNumberValue(d);
                return;
            case float f:
                if (float.IsNaN(f) || float.IsInfinity(f)) throw NotFinite(f);
                writer.WriteNumberValue(f);
                return;
            case System.Numerics.BigInteger big: writer.WriteRawValue(big.ToString(CultureInfo.InvariantCulture)); return;
            case DateTime dt: writer.WriteStringValue(SocialOsClient.FormatInstant(dt)); return;
            case DateTimeOffset dto: writer.WriteStringValue(SocialOsClient.FormatInstant(dto.UtcDateTime)); return;
            case Guid g: writer.WriteStringValue(g.ToString()); return;
            case Uri u: writer.WriteStringValue(u.OriginalString); return;
            case TimeSpan ts: writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); return;
            case Enum e: writer.WriteStringValue(e.ToString()); return;
            case SecureString _:
            case PSCredential _:
                throw new SocialOsInputException(ErrorIds.InvalidBody, "Body", null,
                    "Body contains a SecureString or PSCredential; secrets are never serialized implicitly. Convert the value yourself if it must be sent.");
            case byte[] bytes: writer.WriteBase64StringValue(bytes); return;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value, depth + 1);
                }
                writer.WriteEndObject();
                return;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items) Write(writer, item, depth + 1);
                writer.WriteEndArray();
                return;
        }
        // Any other object: its properties, as ConvertTo-Json would write them.
        psObject ??= PSObject.AsPSObject(value);
        writer.WriteStartObject();
        foreach (var property in psObject.Properties.Where(p => p.IsGettable && (p is PSNoteProperty || p is PSProperty || p is PSAliasProperty || p is PSScriptProperty)))
        {
            object? propertyValue;
            try
            {
                propertyValue = property.Value;
            }
            catch (GetValueException)
            {
                continue;
            }
            writer.WritePropertyName(property.Name);
            Write(writer, propertyValue, depth + 1);
        }
        writer.WriteEndObject();
    }

    /// <summary>A JSON value as PowerShell sees it: objects as PSCustomObject (or Hashtable),
    /// arrays as object[], strings as strings (an RFC 3339 string stays text), whole numbers
    /// as Int32 or Int64, other numbers as Double (as ConvertFrom-Json).</summary>
    public static object? ToPowerShell(JsonElement element, bool asHashtable)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (asHashtable)
                {
                    var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (var property in element.EnumerateObject()) table[property.Name] = ToPowerShell(property.Value, true);
                    return table;
                }
                var result = new PSObject();
                foreach (var property in element.EnumerateObject())
                {
                    var existing = result.Properties[property.Name];
                    if (existing != null) result.Properties.Remove(property.Name);
                    result.Properties.Add(new PSNoteProperty(property.Name, ToPowerShell(property.Value, false)));
                }
                return result;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(e => ToPowerShell(e, asHashtable)).ToArray();
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number:
                if (element.TryGetInt32(out var i)) return i;
                if (element.TryGetInt64(out var l)) return l;
                return element.GetDouble();
            default:
                return null;
        }
    }

    /// <summary><see cref="PSValue.Unwrap"/>, except that a PSCustomObject stays wrapped:
    /// its properties live on the wrapper.</summary>
    private static object? Unwrap(object? value) =>
        value is PSObject ps && ps.BaseObject is PSCustomObject ? value : PSValue.Unwrap(value);

    private static SocialOsInputException NotFinite(object value) =>
        new SocialOsInputException(ErrorIds.InvalidBody, "Body", value, $"Body contains {value}, which JSON cannot carry; use a finite number.");

    private static string Shorten(string text) => text.Length > 100 ? text.Substring(0, 100) + "…" : text;
}
