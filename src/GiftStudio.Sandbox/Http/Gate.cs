using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Logging;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Http;

/// <summary>What every request passes first: a request id (the client's when well-formed),
/// the traceparent echoed, one log line, the rate-limit
/// headers, authentication for /v2, and the conversion of any failure into a problem body.</summary>
public sealed class Gate
{
    private const string TenantItem = "giftstudio.tenant";

    private readonly RequestDelegate _next;
    private readonly ILogger _log;
    private readonly Tenants _tenants;
    private readonly RateLimiter _rateLimiter;
    private readonly RequestStats _stats;
    private readonly FaultInjector? _faults;

    private readonly bool _fields;

    public Gate(RequestDelegate next, ILoggerFactory logs, Tenants tenants, RateLimiter rateLimiter, RequestStats stats, FaultInjector? faults = null, LogSink? sink = null)
    {
        // The text log shows the message only: the fields are built for the JSON log alone.
        _fields = sink is null || sink.Format == Sandbox.LogFormat.Json;
        _next = next;
        _log = logs.CreateLogger("GiftStudio.Sandbox.Requests");
        _tenants = tenants;
        _rateLimiter = rateLimiter;
        _stats = stats;
        _faults = faults;
    }

    public static Tenant TenantOf(HttpContext context) =>
        context.Items[TenantItem] as Tenant ?? throw new InvalidOperationException("No tenant: the route is not behind authentication.");

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var response = context.Response;
        // A client id that is a key would be echoed and logged: replaced like a malformed one.
        var clientId = ClientRequestId(request.Headers);
        var requestId = clientId is not null && !_tenants.IsKey(clientId) ? clientId : "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        context.TraceIdentifier = requestId;
        var traceparent = ValidTraceparent(request.Headers);
        var notes = new RequestNotes { RequestId = requestId, TraceId = traceparent?.Substring(3, 32) };
        RequestNotes.Attach(context, notes);
        response.Headers["X-Request-Id"] = requestId;
        if (traceparent is not null) response.Headers["traceparent"] = traceparent;
        Tenant? tenant = null;
        RateLimiter.Unmetered.Apply(response.Headers);
        try
        {
            var api = request.Path.StartsWithSegments("/v2");
            if (api || request.Path.StartsWithSegments("/_sandbox"))
            {
                tenant = Authenticate(context);
                context.Items[TenantItem] = tenant;
                _stats.Count(tenant.Id, context);
                // The control routes (/_sandbox/stats, reset, clock) are the test's, not the
                // client's: they neither spend nor are refused by the key's bucket.
                if (api)
                {
                    var decision = _rateLimiter.Take(tenant.Id);
                    decision.Apply(response.Headers);
                    if (!decision.Allowed)
                        throw new ApiProblem(429, "quota-exceeded", "Too many requests",
                            $"This key may make {_rateLimiter.Rate:0.##} requests per second; retry after {decision.RetryAfterSeconds} s.")
                        { RetryAfterSeconds = decision.RetryAfterSeconds };
                }
            }
            if (api && _faults is not null) await _faults.InvokeAsync(context, _next);
            else await _next(context);
        }
        catch (ApiProblem problem) when (!response.HasStarted)
        {
            await Reply.WriteProblemAsync(context, problem);
        }
        catch (BadHttpRequestException bad) when (!response.HasStarted)
        {
            await Reply.WriteProblemAsync(context, new ApiProblem(bad.StatusCode, "bad-request", "Bad request", bad.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing left to answer.
            notes.Dropped = true;
        }
        catch (Exception error) when (!response.HasStarted && StorageFailure.Reason(error) is { } reason)
        {
            await Reply.WriteProblemAsync(context, StorageFailure.Problem(reason));
        }
        catch (Exception error) when (!response.HasStarted)
        {
            _log.LogError(error, "Request {RequestId} failed", requestId);
            await Reply.WriteProblemAsync(context, new ApiProblem(500, "internal", "Internal error",
                $"The sandbox could not handle this request; its log has the details under request id {requestId}."));
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested) notes.Dropped = true;
            _stats.Served(response.StatusCode, notes.Dropped, notes.Replayed);
            if (_log.IsEnabled(LogLevel.Information))
                _log.Log(LogLevel.Information, default, LogLine(context, notes, tenant, Stopwatch.GetElapsedTime(started).TotalMilliseconds), null, (s, _) => s.Text);
        }
    }

    /// <summary>One request's log line: never a body; a query value named like a secret is
    /// redacted here, any configured key wherever it stands by the log itself (<see cref="KeyRedactor"/>).</summary>
    private LogFields LogLine(HttpContext context, RequestNotes notes, Tenant? tenant, double elapsedMs)
    {
        var request = context.Request;
        var query = RedactedQuery(request.Query);
        int? status = notes.Dropped ? null : context.Response.StatusCode;
        var text = new StringBuilder()
            .Append(request.Method).Append(' ').Append(request.Path.Value).Append(query)
            .Append(' ').Append(notes.Dropped ? $"dropped (answer {context.Response.StatusCode} not sent)" : context.Response.StatusCode.ToString(CultureInfo.InvariantCulture))
            .Append(CultureInfo.InvariantCulture, $" {elapsedMs:0.0}ms {notes.RequestId} tenant={tenant?.ShortName ?? "-"}");
        if (notes.ProblemType is { } type) text.Append(" problem=").Append(type.StartsWith(ApiProblem.TypeBase, StringComparison.Ordinal) ? type[ApiProblem.TypeBase.Length..] : type);
        if (notes.Replayed) text.Append(" replayed");
        if (notes.IgnoredProperties is { Count: > 0 } ignored) text.Append(" ignored=").Append(string.Join(',', ignored));
        if (notes.TraceId is { } trace) text.Append(" trace=").Append(trace);
        if (!_fields) return new LogFields(text.ToString(), new List<KeyValuePair<string, object?>>());
        return new LogFields(text.ToString(), new List<KeyValuePair<string, object?>>
        {
            new("Method", request.Method),
            new("Path", request.Path.Value),
            new("Query", query.Length == 0 ? null : query),
            new("Status", status),
            new("Outcome", notes.Dropped ? "dropped" : "answered"),
            new("StatusNotSent", notes.Dropped ? context.Response.StatusCode : null),
            new("ElapsedMs", elapsedMs),
            new("RequestId", notes.RequestId),
            new("TraceId", notes.TraceId),
            new("Tenant", tenant?.ShortName),
            new("ProblemType", notes.ProblemType),
            new("Replayed", notes.Replayed),
            new("IgnoredProperties", notes.IgnoredProperties),
        });
    }

    private static string RedactedQuery(IQueryCollection query)
    {
        if (query.Count == 0) return "";
        var text = new StringBuilder();
        foreach (var (name, values) in query)
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

    /// <summary>A client's X-Request-Id is used when well-formed: one value of 1-128 letters,
    /// digits, '-', '_', '.', ':' or '@'. Anything else is replaced, never echoed.</summary>
    internal static string? ClientRequestId(IHeaderDictionary headers)
    {
        var values = headers["X-Request-Id"];
        if (values.Count != 1 || values[0] is not { Length: >= 1 and <= 128 } id) return null;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@')) return null;
        }
        return id;
    }

    /// <summary>A W3C traceparent (version 00: 00-32 hex trace id-16 hex parent id-2 hex flags,
    /// lower case, ids not all zero), or null.</summary>
    internal static string? ValidTraceparent(IHeaderDictionary headers)
    {
        var values = headers["traceparent"];
        if (values.Count != 1 || values[0] is not { Length: 55 } value) return null;
        if (!value.StartsWith("00-", StringComparison.Ordinal) || value[35] != '-' || value[52] != '-') return null;
        static bool Hex(ReadOnlySpan<char> s)
        {
            var nonZero = false;
            foreach (var c in s)
            {
                if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
                nonZero |= c != '0';
            }
            return nonZero;
        }
        var flags = value.AsSpan(53, 2);
        return Hex(value.AsSpan(3, 32)) && Hex(value.AsSpan(36, 16)) && (Hex(flags) || flags.SequenceEqual("00")) ? value : null;
    }

    private Tenant Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count == 0)
            throw ApiProblem.Unauthorized("No API key: send the header 'Authorization: Bearer <API key>'.");
        var value = header.Count == 1 ? header[0] ?? "" : "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw ApiProblem.Unauthorized("The Authorization header must use the Bearer scheme: 'Authorization: Bearer <API key>'.");
        return _tenants.Find(value.AsSpan(7).Trim())
            ?? throw ApiProblem.Unauthorized("The API key is not valid for this server.");
    }
}
