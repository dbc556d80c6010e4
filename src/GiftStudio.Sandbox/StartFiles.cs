using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace GiftStudio.Sandbox;

/// <summary>What the start line says the data file holds, in words and in numbers (the ready file).</summary>
public sealed record DataSummary(string Text, string Path, string Origin, long Tenants, long Gifts, long Users, long Events);

/// <summary>The files a sandbox writes for its launcher once it listens (--port-file,
/// --ready-file): checked before the start, written atomically (a temporary name, then a
/// rename: a reader never sees half a file), removed on a clean stop if still ours.</summary>
public static class StartFiles
{
    /// <summary>Before anything is opened or announced: the folder can be made and a file written in it.</summary>
    /// <exception cref="ArgumentException">The path cannot be written (exit 2).</exception>
    public static void CheckWritable(string path, string option)
    {
        try
        {
            var temporary = TemporaryName(Path.GetFullPath(path));
            File.WriteAllText(temporary, "");
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(path, option, e);
        }
    }

    /// <exception cref="StartupFailure">The path cannot be written after all (exit 2).</exception>
    public static void Write(string path, string option, string content)
    {
        try
        {
            var full = Path.GetFullPath(path);
            var temporary = TemporaryName(full);
            File.WriteAllText(temporary, content);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupFailure(ExitCodes.BadArguments, Unwritable(path, option, e).Message);
        }
    }

    /// <summary>Only our own content: a newer sandbox may have written the file since.</summary>
    public static void RemoveIfOurs(string path, string content)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path) == content) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort on the way out.
        }
    }

    /// <summary>The ready file: one JSON object, a line of its own.</summary>
    public static string ReadyJson(int port, string address, DataSummary data, IReadOnlyList<string> warnings)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("port", port);
            json.WriteString("base_uri", address);
            json.WriteString("api_uri", address.TrimEnd('/') + "/v2");
            json.WriteString("version", SandboxVersion.Text);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteStartObject("data");
            json.WriteString("path", data.Path);
            json.WriteString("origin", data.Origin);
            json.WriteNumber("tenants", data.Tenants);
            json.WriteNumber("gifts", data.Gifts);
            json.WriteNumber("users", data.Users);
            json.WriteNumber("events", data.Events);
            json.WriteString("summary", data.Text);
            json.WriteEndObject();
            json.WriteStartArray("warnings");
            foreach (var warning in warnings) json.WriteStringValue(warning);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string TemporaryName(string full)
    {
        var folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        return full + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
    }

    private static ArgumentException Unwritable(string path, string option, Exception e) =>
        new($"{option} '{path}' cannot be written ({e.Message.TrimEnd('.')}). Give a path in a writable folder.");
}
