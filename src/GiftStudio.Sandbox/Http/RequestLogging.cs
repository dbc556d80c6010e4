using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Http;

/// <summary>One log line per request, and its outcome counted in <see cref="RequestStats"/>,
/// once the request is answered, failed or dropped.</summary>
public sealed class RequestLogging
{
    /// <summary>The log category of the request lines (and of <see cref="ProblemResponses"/>'s errors).</summary>
    public const string Category = "GiftStudio.Sandbox.Requests";

    private readonly RequestDelegate _next;
    private readonly ILogger _log;
    private readonly RequestStats _stats;
    private readonly bool _fields;

    public RequestLogging(RequestDelegate next, ILoggerFactory logs, RequestStats stats, LogSink? sink = null)
    {
        // The text log shows the message only: the fields are built for the JSON log alone.
        _fields = sink is null || sink.Format == Sandbox.LogFormat.Json;
        _next = next;
        _log = logs.CreateLogger(Category);
        _stats = stats;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _next(context);
        }
        finally
        {
            var notes = RequestNotes.Of(context);
            if (context.RequestAborted.IsCancellationRequested) notes.Dropped = true;
            _stats.Served(context.Response.StatusCode, notes.Dropped, notes.Replayed);
            if (_log.IsEnabled(LogLevel.Information))
            {
                var request = context.Request;
                _log.Log(LogLevel.Information, default, new RequestLine(request.Method, request.Path.Value, request.QueryString.Value, context.Response.StatusCode,
                    notes, Authentication.TenantOrNull(context), Stopwatch.GetElapsedTime(started).TotalMilliseconds, _fields), null, (s, _) => s.Text);
            }
        }
    }

    /// <summary>One request's log line: never a body; a query value named like a secret is
    /// redacted here, any configured key wherever it stands by the log itself (<see cref="KeyRedactor"/>).
    /// The request's thread only captures the values: the log's writer builds the line
    /// (<see cref="ILogEntry"/>), off the request's path.</summary>
    private sealed class RequestLine(string method, string? path, string? rawQuery, int status, RequestNotes notes, Tenant? tenant, double elapsedMs, bool withFields)
        : ILogEntry
    {
        private string? _query;

        private string Query => _query ??= RedactedQuery(rawQuery);

        public string Text
        {
            get
            {
                var text = new StringBuilder()
                    .Append(method).Append(' ').Append(path).Append(Query)
                    .Append(' ').Append(notes.Dropped ? $"dropped (answer {status} not sent)" : status.ToString(CultureInfo.InvariantCulture))
                    .Append(CultureInfo.InvariantCulture, $" {elapsedMs:0.0}ms {notes.RequestId} tenant={tenant?.ShortName ?? "-"}");
                if (notes.ProblemType is { } type) text.Append(" problem=").Append(type.StartsWith(ApiProblem.TypeBase, StringComparison.Ordinal) ? type[ApiProblem.TypeBase.Length..] : type);
                if (notes.Replayed) text.Append(" replayed");
                if (notes.IgnoredProperties is { Count: > 0 } ignored) text.Append(" ignored=").Append(string.Join(',', ignored));
                if (notes.TraceId is { } trace) text.Append(" trace=").Append(trace);
                return text.ToString();
            }
        }

        public IEnumerable<KeyValuePair<string, object?>> Fields => !withFields ? [] : new List<KeyValuePair<string, object?>>
        {
            new("Method", method),
            new("Path", path),
            new("Query", Query.Length == 0 ? null : Query),
            new("Status", notes.Dropped ? null : status),
            new("Outcome", notes.Dropped ? "dropped" : "answered"),
            new("StatusNotSent", notes.Dropped ? status : null),
            new("ElapsedMs", elapsedMs),
            new("RequestId", notes.RequestId),
            new("TraceId", notes.TraceId),
            new("Tenant", tenant?.ShortName),
            new("ProblemType", notes.ProblemType),
            new("Replayed", notes.Replayed),
            new("IgnoredProperties", notes.IgnoredProperties),
        };
    }

    private static string RedactedQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery)) return "";
        var text = new StringBuilder();
        foreach (var (name, values) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(rawQuery))
        {
            foreach (var value in values)
            {
                text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=');
                text.Append(SecretName(name) ? KeyRedactor.Mark : Uri.EscapeDataString(value ?? ""));
            }
        }
        return text.ToString();
    }

    private static bool SecretName(string name)
    {
        foreach (var word in new[] { "key", "token", "secret", "password", "auth", "bearer" })
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
