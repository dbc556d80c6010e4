using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Pipeline;

/// <summary>Last before the wire: one verbose line per attempt (request line, status,
/// elapsed, request id) and, at debug level, the headers with every secret redacted.</summary>
public sealed class DiagnosticsHandler : DelegatingHandler
{
    /// <summary>Headers whose values never reach a log.</summary>
    public static readonly string[] RedactedHeaders = { "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key" };

    private readonly IRequestLog? _fallback;

    public DiagnosticsHandler(IRequestLog? fallback) => _fallback = fallback;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var log = RequestLogScope.Current ?? _fallback;
        var levels = log as IRequestLogLevels;
        var debug = levels?.DebugEnabled ?? true;
        if (log is null || levels is { VerboseEnabled: false, DebugEnabled: false })
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        var line = $"{request.Method} {request.RequestUri}{CallRecord.Of(request)?.Describe()}";
        log.Verbose(line);
        if (debug) log.Debug($"{line}{Environment.NewLine}{Headers(request.Headers, request.Content?.Headers)}");
        var watch = Stopwatch.StartNew();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var requestId = ErrorMapping.RequestIdOf(response);
            var replayed = Replies.IsReplay(response) ? ", replayed: applied before, not now" : "";
            log.Verbose($"{line} -> {(int)response.StatusCode} {response.ReasonPhrase} in {watch.Elapsed.TotalMilliseconds:0} ms (request id {requestId ?? "none"}{replayed})");
            if (debug) log.Debug($"Response headers:{Environment.NewLine}{Headers(response.Headers, response.Content?.Headers)}");
            return response;
        }
        catch (OperationCanceledException)
        {
            // This token is the attempt's: cancelled by its timeout or by the caller.
            log.Verbose($"{line} -> no response after {watch.Elapsed.TotalMilliseconds:0} ms (timed out or cancelled)");
            throw;
        }
        catch (Exception e)
        {
            log.Verbose($"{line} -> failed after {watch.Elapsed.TotalMilliseconds:0} ms: {e.GetBaseException().Message}");
            throw;
        }
    }

    private static string Headers(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? content)
    {
        var text = new StringBuilder();
        foreach (var header in content is null ? headers : headers.Concat(content))
        {
            var redact = RedactedHeaders.Any(h => string.Equals(h, header.Key, StringComparison.OrdinalIgnoreCase));
            text.Append("  ").Append(header.Key).Append(": ").AppendLine(redact ? "[redacted]" : string.Join(", ", header.Value));
        }
        return text.ToString().TrimEnd();
    }
}
