using System;
using System.IO;
using System.Text;
using System.Text.Json;
using GiftStudio.Sandbox.Logging;

namespace GiftStudio.Sandbox;

/// <summary>The lines a start prints before and beside the log: as text, or with --log-format
/// json as one JSON object a line like the log's own (so every line on standard output is
/// JSON). They go to the console only, never to --log-file: the generated key is among them.
/// Warnings also go to standard error as text, prefixed "GiftStudio.Sandbox: Warning:".</summary>
public sealed class StartLines(LogFormat format, Clock clock)
{
    private const string Category = "GiftStudio.Sandbox";

    public void Info(string message, string eventName, params (string Name, string Value)[] fields)
    {
        Console.Out.WriteLine(format == LogFormat.Json ? Json("info", message, eventName, fields) : message);
    }

    public void Warn(string message)
    {
        Console.Error.WriteLine($"GiftStudio.Sandbox: Warning: {message}");
        if (format == LogFormat.Json) Console.Out.WriteLine(Json("warn", message, "warning", Array.Empty<(string, string)>()));
    }

    private string Json(string level, string message, string eventName, (string Name, string Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("time", Rfc3339.Format(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            json.WriteString("clock", Rfc3339.Format(clock.NowMs));
            json.WriteString("level", level);
            json.WriteString("category", Category);
            json.WriteString("message", message);
            json.WriteString("event", eventName);
            foreach (var (name, value) in fields) json.WriteString(LogSink.SnakeCase(name), value);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
