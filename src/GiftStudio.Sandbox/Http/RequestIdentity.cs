using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>First of every request: its id (the client's X-Request-Id when well-formed, else a
/// new one) and its trace (a valid traceparent, echoed), on the response and in its
/// <see cref="RequestNotes"/>.</summary>
public sealed class RequestIdentity(RequestDelegate next, Tenants tenants)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        // A client id that is a key would be echoed and logged: replaced like a malformed one.
        var clientId = ClientRequestId(request.Headers);
        var requestId = clientId is not null && !tenants.IsKey(clientId) ? clientId : "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        context.TraceIdentifier = requestId;
        var traceparent = ValidTraceparent(request.Headers);
        RequestNotes.Attach(context, new RequestNotes { RequestId = requestId, TraceId = traceparent?.Substring(3, 32) });
        response.Headers["X-Request-Id"] = requestId;
        if (traceparent is not null) response.Headers["traceparent"] = traceparent;
        return next(context);
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
}
