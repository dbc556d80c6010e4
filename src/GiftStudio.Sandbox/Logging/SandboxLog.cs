using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Logging;

/// <summary>Where log lines go: standard output and, with --log-file, a file, in one format
/// (text, or one JSON object a line). Lines are queued and written by one task, so a request
/// never waits for the console; <see cref="DisposeAsync"/> drains the queue.</summary>
public sealed class LogSink : IAsyncDisposable
{
    /// <summary>Bounded, so a reader that never drains standard output cannot grow memory
    /// without end; a line that finds the queue full is counted, never waited for.</summary>
    private readonly Channel<Entry> _lines = Channel.CreateBounded<Entry>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _dropped;
    private static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(10);
    private readonly StreamWriter? _file;
    private readonly TextWriter? _output;
    private readonly Task _writer;

    /// <param name="output">Where the lines go instead of standard output (an in-process sandbox
    /// in a test run, whose standard output is the test runner's).</param>
    private readonly KeyRedactor _redactor;

    public LogSink(LogFormat format, string? filePath, Clock clock, TextWriter? output = null, KeyRedactor? redactor = null)
    {
        Format = format;
        _redactor = redactor ?? new KeyRedactor(Array.Empty<string>());
        Clock = clock;
        _output = output;
        if (filePath is not null)
        {
            try
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(filePath));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                CreatedFile = File.Exists(filePath) ? null : Path.GetFullPath(filePath);
                _file = new StreamWriter(new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--log-file '{filePath}' cannot be opened for appending: {e.Message}");
            }
        }
        _writer = Task.Run(WriteLoop);
    }

    public LogFormat Format { get; }
    public Clock Clock { get; }

    /// <summary>The --log-file when this run created it (a failed start removes it again), else null.</summary>
    public string? CreatedFile { get; }

    /// <summary>Queues one entry. <paramref name="fields"/> become JSON properties (names in
    /// snake_case); the text format shows <paramref name="message"/> only.</summary>
    public void Write(LogLevel level, string category, string message, IEnumerable<KeyValuePair<string, object?>> fields, Exception? error = null) =>
        Enqueue(new Entry(DateTimeOffset.UtcNow, Clock.NowMs, level, category, message, fields, error));

    /// <summary>Queues an entry whose text and fields are built when it is written, by the
    /// writer task: a request's thread only captures its values.</summary>
    public void Write(LogLevel level, string category, ILogEntry entry) =>
        Enqueue(new Entry(DateTimeOffset.UtcNow, Clock.NowMs, level, category, null, null, null, entry));

    private void Enqueue(in Entry entry)
    {
        if (!_lines.Writer.TryWrite(entry)) System.Threading.Interlocked.Increment(ref _dropped);
    }

    /// <summary>One queued entry: the instant and the clock when it was logged, and either its
    /// message and fields or an <see cref="ILogEntry"/> that builds them.</summary>
    private readonly record struct Entry(DateTimeOffset Wall, long ClockMs, LogLevel Level, string Category, string? Message,
        IEnumerable<KeyValuePair<string, object?>>? Fields, Exception? Error, ILogEntry? Deferred = null);

    private string Render(in Entry entry)
    {
        var message = _redactor.Redact(entry.Deferred?.Text ?? entry.Message ?? "");
        var error = entry.Error;
        string line;
        if (Format == LogFormat.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("time", Rfc3339.Format(entry.Wall.ToUnixTimeMilliseconds()));
                json.WriteString("clock", Rfc3339.Format(entry.ClockMs));
                json.WriteString("level", LevelName(entry.Level));
                json.WriteString("category", entry.Category);
                json.WriteString("message", message);
                foreach (var (name, value) in entry.Deferred?.Fields ?? entry.Fields ?? [])
                {
                    if (name == "{OriginalFormat}") continue;
                    json.WritePropertyName(SnakeCase(name));
                    WriteValue(json, value, _redactor);
                }
                if (error is not null) json.WriteString("exception", _redactor.Redact(error.ToString()));
                json.WriteEndObject();
            }
            line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        else
        {
            line = $"{entry.Wall.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture)}Z {LevelName(entry.Level)}: {entry.Category} {message}";
            if (error is not null) line += " " + _redactor.Redact(error.ToString()).ReplaceLineEndings(" | ");
        }
        return line;
    }

    /// <summary>Log lines lost because standard output was not read fast enough.</summary>
    public long DroppedLines => System.Threading.Interlocked.Read(ref _dropped);

    private async Task WriteLoop()
    {
        // Buffered, flushed once per batch: one write for many lines under load, where
        // Console.Out would make one per line.
        await using var standardOutput = _output is null
            ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false }
            : null;
        var stdout = _output ?? standardOutput!;
        while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_lines.Reader.TryRead(out var entry))
            {
                var line = Render(entry);
                stdout.WriteLine(line);
                _file?.WriteLine(line);
            }
            stdout.Flush();
            _file?.Flush();
            // The profile: one wake-up of this task per request. A short pause lets a busy
            // server's lines gather into one write (they still carry their own times).
            await Task.Delay(BatchPause).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value, KeyRedactor redactor)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(Math.Round(d, 3)); break;
            case IEnumerable<string> list:
                json.WriteStartArray();
                foreach (var item in list) json.WriteStringValue(redactor.Redact(item));
                json.WriteEndArray();
                break;
            case IEnumerable<KeyValuePair<string, long>> counts:
                json.WriteStartObject();
                foreach (var (k, v) in counts) json.WriteNumber(k, v);
                json.WriteEndObject();
                break;
            default: json.WriteStringValue(redactor.Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")); break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    /// <summary>snake_case to PascalCase (field names are given in PascalCase and written in snake_case).</summary>
    public static string PascalCase(string snake) =>
        string.Concat(snake.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_') text.Append('_');
                text.Append(char.ToLowerInvariant(c));
            }
            else text.Append(c);
        }
        return text.ToString();
    }
}

/// <summary>The ILogger side of <see cref="LogSink"/>: every category, structured state as fields.</summary>
public sealed class SandboxLoggerProvider(LogSink sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SandboxLogger(sink, categoryName);

    /// <summary>The sink belongs to Program, which writes the shutdown line and then disposes it.</summary>
    public void Dispose() { }

    private sealed class SandboxLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var fields = state as IEnumerable<KeyValuePair<string, object?>> ?? Array.Empty<KeyValuePair<string, object?>>();
            if (state is ILogEntry deferred && exception is null)
            {
                sink.Write(logLevel, category, deferred);
                return;
            }
            if (KestrelRefusals.TryWrite(sink, category, fields, exception)) return;
            sink.Write(logLevel, category, formatter(state, exception), fields, exception);
        }
    }
}

/// <summary>A log entry built when it is written (see <see cref="LogSink.Write(LogLevel, string, ILogEntry)"/>).</summary>
public interface ILogEntry
{
    /// <summary>The message (the text format's whole line after the time, level and category).</summary>
    string Text { get; }

    /// <summary>The JSON format's fields.</summary>
    IEnumerable<KeyValuePair<string, object?>> Fields { get; }
}

/// <summary>A log entry given as fields, with its text-format message.</summary>
public sealed class LogFields(string text, List<KeyValuePair<string, object?>> fields) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Text { get; } = text;
    public int Count => fields.Count;
    public KeyValuePair<string, object?> this[int index] => fields[index];
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => fields.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => Text;
}
