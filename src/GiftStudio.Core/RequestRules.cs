using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GiftStudio;

/// <summary>The rules for a request to any route (Invoke-SocialOSRequest): where it may go,
/// how its query is written and which headers a caller may add. One place, so the key is
/// never sent anywhere but under the connection's base URI.</summary>
public static class RequestRules
{
    /// <summary>Headers the client owns: the key, the idempotency key, and what the transport computes.</summary>
    public static readonly string[] ReservedHeaders = { "Authorization", "Idempotency-Key", "Host", "Content-Length", "Transfer-Encoding" };

    /// <summary>The routes the module knows (method, path relative to the base URI), for tab completion.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> KnownRoutes =
        Routes.All.Select(r => new KeyValuePair<string, string>(r.Method, r.Example)).ToList();

    /// <summary>The absolute URI of <paramref name="path"/>: relative to <paramref name="baseUri"/>
    /// with or without a leading slash ('/gamification/gifts' is &lt;base&gt;/gamification/gifts,
    /// never the host's root), or an absolute URI with the base's scheme, host and port and
    /// under its path. Anything else (another host, '//host/x', '..' out of the base, a
    /// fragment, user info) is refused with InvalidPath before anything is sent.</summary>
    public static Uri Resolve(Uri baseUri, string? path)
    {
        if (baseUri == null) throw new ArgumentNullException(nameof(baseUri));
        var text = (path ?? "").Trim();
        if (text.Length == 0) throw InvalidPath(path, "Path is empty; give a route such as /gamification/gifts.");
        if (text.IndexOf('#') >= 0) throw InvalidPath(path, $"Path '{path}' has a fragment (#); fragments are never sent. Escape a literal # as %23.");
        if (text.IndexOf('\\') >= 0) throw InvalidPath(path, $"Path '{path}' contains a backslash; use / between segments.");
        if (text.Any(c => c < ' ' || c == 127)) throw InvalidPath(path, "Path contains control characters.");

        Uri target;
        if (HasScheme(text))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var absolute) || (absolute.Scheme != Uri.UriSchemeHttp && absolute.Scheme != Uri.UriSchemeHttps))
                throw InvalidPath(path, $"Path '{path}' is neither a route such as /gamification/gifts nor an http(s) URI under {baseUri}.");
            if (absolute.UserInfo.Length > 0)
                throw InvalidPath(path, $"Path '{Redacted(absolute)}' carries user info; the connection's key is the only credential sent.");
            target = absolute;
        }
        else
        {
            if (text.StartsWith("//", StringComparison.Ordinal))
                throw InvalidPath(path, $"Path '{path}' names another host ('//' starts an authority); give a route such as /gamification/gifts.");
            // '/_sandbox/…' is the sandbox's control route at the origin's root; anything else is under the base.
            var relative = text.StartsWith(SandboxControlPath, StringComparison.Ordinal) ? text : text.StartsWith("/", StringComparison.Ordinal) ? text.Substring(1) : text;
            var pathPart = relative.Split('?')[0];
            if (pathPart.Split('/').Any(IsDotSegment))
                throw InvalidPath(path, $"Path '{path}' has a '.' or '..' segment; give the route from the base URI {baseUri} down.");
            // base ends with '/', relative has no leading '/': the base path is kept.
            target = new Uri(baseUri, relative);
        }

        if (!IsUnder(baseUri, target))
            throw InvalidPath(path, $"Path '{Redacted(target)}' is outside the connection's base URI {baseUri}: only its scheme, host and port, under {baseUri.AbsolutePath} (or the sandbox's {SandboxControlPath}), are accepted, so the key is never sent elsewhere.");
        return target;
    }

    /// <summary>The path and query of <paramref name="target"/> relative to the base, e.g.
    /// 'gamification/gifts?limit=5'; a sandbox control route keeps its root path ('/_sandbox/stats').</summary>
    public static string Relative(Uri baseUri, Uri target)
    {
        var basePath = baseUri.AbsolutePath;
        if (!target.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal) && target.AbsolutePath.StartsWith(SandboxControlPath, StringComparison.Ordinal))
            return target.AbsolutePath + target.Query;
        var path = target.AbsolutePath.Length >= basePath.Length ? target.AbsolutePath.Substring(basePath.Length) : "";
        return path + target.Query;
    }

    /// <summary><see cref="Relative"/> as a route a call takes: with one leading slash.</summary>
    public static string Route(Uri baseUri, Uri target) => "/" + Relative(baseUri, target).TrimStart('/');

    /// <summary>Adds <paramref name="query"/> (names to values) to <paramref name="target"/>'s
    /// query, each name and value escaped. Values are written culture-free: true/false,
    /// invariant numbers, instants as RFC 3339 UTC; a collection repeats the name; a null
    /// value leaves the name out.</summary>
    public static Uri WithQuery(Uri target, IEnumerable<KeyValuePair<string, object?>>? query)
    {
        if (query == null) return target;
        var pairs = new List<string>();
        foreach (var entry in query)
        {
            if (string.IsNullOrWhiteSpace(entry.Key))
                throw new SocialOsInputException(ErrorIds.InvalidQuery, "Query", entry.Key, "Query has an empty name; every entry needs a name such as limit.");
            foreach (var value in Values(entry.Value))
                pairs.Add(Uri.EscapeDataString(entry.Key) + "=" + Uri.EscapeDataString(QueryValue(entry.Key, value)));
        }
        if (pairs.Count == 0) return target;
        var builder = new UriBuilder(target);
        var existing = builder.Query.TrimStart('?');
        builder.Query = (existing.Length > 0 ? existing + "&" : "") + string.Join("&", pairs);
        return builder.Uri;
    }

    /// <summary><paramref name="target"/> with the query parameter <paramref name="name"/> set to
    /// <paramref name="value"/> (replacing any it had): how -Paginate asks for the next page.</summary>
    public static Uri WithParameter(Uri target, string name, string value)
    {
        var kept = target.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(Uri.UnescapeDataString(p.Split('=')[0]), name, StringComparison.Ordinal));
        var builder = new UriBuilder(target) { Query = string.Join("&", kept.Concat(new[] { Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value) })) };
        return builder.Uri;
    }

    /// <summary>Refuses a header the client owns (the key, the idempotency key, transport
    /// headers) or a malformed name: a caller may add headers, never replace those.</summary>
    public static void CheckHeader(string? name, object? value)
    {
        if (string.IsNullOrWhiteSpace(name) || name!.Any(c => c <= ' ' || c >= 127 || c == ':'))
            throw new SocialOsInputException(ErrorIds.InvalidHeader, "Headers", name, $"Headers has an invalid name '{name}'; a header name is printable ASCII without spaces or ':'.");
        if (ReservedHeaders.Any(h => string.Equals(h, name!.Trim(), StringComparison.OrdinalIgnoreCase)))
            throw new SocialOsInputException(ErrorIds.HeaderNotAllowed, "Headers", name,
                $"Headers may not set '{name}': the connection sends Authorization, -IdempotencyKey sets Idempotency-Key, and the transport writes {string.Join(", ", ReservedHeaders.Skip(2))}. Other headers may be added.");
        if (value is string text && text.Any(c => c == '\r' || c == '\n'))
            throw new SocialOsInputException(ErrorIds.InvalidHeader, "Headers", name, $"The value of header '{name}' contains a line break.");
    }

    /// <summary>Refuses an idempotency key on anything but POST: the contract gives other
    /// methods none, and a key that the server ignores would only look safe.</summary>
    public static void CheckIdempotencyKey(string method, string? idempotencyKey)
    {
        if (string.IsNullOrEmpty(idempotencyKey) || RequestKinds.TakesKey(method)) return;
        throw new SocialOsInputException(ErrorIds.IdempotencyKeyNotApplicable, "IdempotencyKey", idempotencyKey,
            $"IdempotencyKey applies to POST only (the contract gives {method} no key); leave it out for {method}.");
    }

    /// <summary>A query value as text, the way the other cmdlets send values.</summary>
    private static string QueryValue(string name, object value)
    {
        switch (value)
        {
            case string s: return s;
            case bool b: return b ? "true" : "false";
            case DateTime d: return SocialOsClient.FormatInstant(d);
            case DateTimeOffset o: return SocialOsClient.FormatInstant(o.UtcDateTime);
            case double d when double.IsNaN(d) || double.IsInfinity(d):
            case float f when float.IsNaN(f) || float.IsInfinity(f):
                throw new SocialOsInputException(ErrorIds.InvalidQuery, "Query", value, $"Query value of '{name}' is not a finite number.");
            case double d: return d.ToString("R", CultureInfo.InvariantCulture);
            case float f: return f.ToString("R", CultureInfo.InvariantCulture);
            case Enum e: return e.ToString();
            case IFormattable formattable: return formattable.ToString(null, CultureInfo.InvariantCulture);
            default: return value.ToString() ?? "";
        }
    }

    private static IEnumerable<object> Values(object? value)
    {
        if (value == null) yield break;
        if (value is IEnumerable many && !(value is string))
        {
            foreach (var item in many)
                if (item != null) yield return item;
            yield break;
        }
        yield return value;
    }

    private static bool HasScheme(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        var slash = text.IndexOfAny(new[] { '/', '?' });
        if (slash >= 0 && slash < colon) return false;
        return char.IsLetter(text[0]) && text.Take(colon).All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '+' || c == '-' || c == '.'));
    }

    private static bool IsDotSegment(string segment)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(segment);
        }
        catch (UriFormatException)
        {
            return false;
        }
        return decoded == "." || decoded == "..";
    }

    private static bool IsUnder(Uri baseUri, Uri target)
    {
        if (!string.Equals(baseUri.Scheme, target.Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        if (!string.Equals(baseUri.IdnHost, target.IdnHost, StringComparison.OrdinalIgnoreCase)) return false;
        if (baseUri.Port != target.Port) return false;
        var basePath = baseUri.AbsolutePath;   // ends with '/'
        var path = target.AbsolutePath;
        if (path.Split('/').Any(IsDotSegment)) return false;
        return path.StartsWith(basePath, StringComparison.Ordinal) || path + "/" == basePath
            || path.StartsWith(SandboxControlPath, StringComparison.Ordinal);
    }

    /// <summary>The sandbox's control routes (/_sandbox/stats, /_sandbox/reset) live at the root
    /// of the same origin, beside the versioned API: an absolute URI there is accepted too (the
    /// key goes to the same server either way).</summary>
    public const string SandboxControlPath = "/_sandbox/";

    /// <summary>A URI as text without any user info (which could hold a password).</summary>
    private static string Redacted(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.OriginalString : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();

    private static SocialOsInputException InvalidPath(string? path, string message) =>
        new SocialOsInputException(ErrorIds.InvalidPath, "Path", path, message);
}
