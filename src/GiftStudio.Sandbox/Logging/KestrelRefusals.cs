using System.Collections.Generic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox.Logging;

/// <summary>What Kestrel refuses itself, before the application sees a request (431 headers
/// too large, 414 request line too long, 400 malformed request line, 408 headers too slow):
/// Kestrel answers those on its own, without a problem body or X-Request-Id (the contract's
/// Part B names the exception), and reports them only as debug events. This turns each event
/// into one sandbox log line with its status and reason.</summary>
public static class KestrelRefusals
{
    /// <summary>Kestrel's category for bad-request events (debug level).</summary>
    public const string Category = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    /// <summary>Writes the line when <paramref name="error"/> is one of Kestrel's refusals.</summary>
    public static bool TryWrite(LogSink sink, string category, IEnumerable<KeyValuePair<string, object?>> state, System.Exception? error)
    {
        if (category != Category || error is not BadHttpRequestException refusal) return false;
        string? connection = null;
        foreach (var (name, value) in state)
        {
            if (name == "ConnectionId") connection = value?.ToString();
        }
        var reason = refusal.Message.TrimEnd('.');
        sink.Write(LogLevel.Warning, "GiftStudio.Sandbox.Requests",
            $"refused by Kestrel before the application: {refusal.StatusCode} {reason} (connection {connection ?? "-"}; no problem body, no request id)",
            new List<KeyValuePair<string, object?>>
            {
                new("Event", "kestrel-refused"), new("Status", refusal.StatusCode), new("Reason", reason), new("ConnectionId", connection),
            });
        return true;
    }
}
