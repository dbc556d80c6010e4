using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text.Json;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Invoke-SocialOSRequest: any route of the API with the module's key handling,
/// retries, idempotency, circuit breaker, diagnostics and errors. The rules (where a path
/// may go, reserved headers, the transport) live in Core; this cmdlet binds and writes.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "SocialOSRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject), typeof(Hashtable), typeof(string))]
public sealed class InvokeSocialOSRequestCommand : SocialWriteCmdlet
{
    /// <summary>GET (default), HEAD, POST, PUT, PATCH or DELETE.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", IgnoreCase = true)]
    public string Method { get; set; } = "GET";

    /// <summary>Relative to the connection's base URI (leading slash or not), or an absolute URI under it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(RouteCompleter))]
    public string Path { get; set; } = "";

    /// <summary>A hashtable, an object or a JSON string.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public object? Body { get; set; }

    /// <summary>Query parameters, escaped and appended to the path's own query.</summary>
    [Parameter]
    public IDictionary? Query { get; set; }

    /// <summary>Extra request headers; never Authorization or Idempotency-Key.</summary>
    [Parameter]
    public IDictionary? Headers { get; set; }

    /// <summary>Follow next_cursor, writing the data items of every page.</summary>
    [Parameter]
    public SwitchParameter Paginate { get; set; }

    /// <summary>PSObject (default), Hashtable, Json (the raw text) or Response.</summary>
    [Parameter]
    [ValidateSet("PSObject", "Hashtable", "Json", "Response", IgnoreCase = true)]
    public string OutputType { get; set; } = "PSObject";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatusCodeVariable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResponseHeadersVariable { get; set; }

    /// <summary>One request, checked and ready: nothing is sent before all of this passed.</summary>
    private sealed class Prepared
    {
        public Prepared(string method, Uri uri, string route, byte[]? body, List<KeyValuePair<string, string>> headers)
        {
            Method = method;
            Uri = uri;
            Route = route;
            Body = body;
            Headers = headers;
        }

        public string Method { get; }
        public Uri Uri { get; }

        /// <summary>The path and query relative to the base URI, as the client takes it.</summary>
        public string Route { get; }
        public byte[]? Body { get; }
        public List<KeyValuePair<string, string>> Headers { get; }

        public bool IsRead => Method == "GET" || Method == "HEAD";
    }

    protected override void ProcessRecord()
    {
        var target = TargetObject(Path);
        if (Paginate)
        {
            ProcessPaginated(target);
            return;
        }
        ProcessWrite(target, "Sending requests", () =>
        {
            var request = Prepare();
            return new WriteOperation<SocialOsResponse>(request.Uri.AbsoluteUri, request.Method, request.Route.TrimStart('/'),
                () => request.Body ?? Array.Empty<byte>(),
                (client, key, cancel) => client.SendAsync(new HttpMethod(request.Method), request.Route, request.Body, key, request.Headers, cancel))
            {
                Confirms = !request.IsRead,
                TakesKey = RequestKinds.TakesKey(request.Method),
            };
        }, WriteResponse);
    }

    /// <summary>GET page after page, each written before the next is asked for, so a
    /// downstream Select-Object -First N ends the paging.</summary>
    private void ProcessPaginated(object? target)
    {
        // Earlier pipeline items are written first; paging is one request at a time.
        CompleteAll();
        try
        {
            var request = Prepare();
            if (request.Method != "GET")
                throw new SocialOsInputException(ErrorIds.InvalidPaginate, "Paginate", request.Method,
                    $"-Paginate follows next_cursor of GET lists; it cannot be used with {request.Method}.");
            var baseUri = ResolveConnection().Client.BaseUri;
            var uri = request.Uri;
            while (true)
            {
                var route = RequestRules.Route(baseUri, uri);
                var response = Run((client, cancel) => client.SendAsync(HttpMethod.Get, route, null, null, request.Headers, cancel));
                var next = WritePage(response);
                if (next == null) break;
                uri = RequestRules.WithParameter(uri, "cursor", next);
            }
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, target);
        }
    }

    private Prepared Prepare()
    {
        var method = (Method ?? "GET").Trim().ToUpperInvariant();
        var baseUri = ResolveConnection().Client.BaseUri;
        var uri = RequestRules.WithQuery(RequestRules.Resolve(baseUri, Path), QueryEntries());
        var headers = new List<KeyValuePair<string, string>>();
        if (Headers != null)
        {
            foreach (DictionaryEntry entry in Headers)
            {
                var name = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
                var value = HeaderValue(Unwrap(entry.Value));
                RequestRules.CheckHeader(name, value);
                headers.Add(new KeyValuePair<string, string>(name.Trim(), value));
            }
        }
        var body = JsonBody.Serialize(Body);
        if (body != null && (method == "GET" || method == "HEAD"))
            throw new SocialOsInputException(ErrorIds.InvalidBody, "Body", null, $"{method} requests carry no body; send the values in -Query, or use POST, PUT or PATCH.");
        RequestRules.CheckIdempotencyKey(method, IdempotencyKey);
        return new Prepared(method, uri, RequestRules.Route(baseUri, uri), body, headers);
    }

    private IEnumerable<KeyValuePair<string, object?>>? QueryEntries() =>
        Query?.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(
            Convert.ToString(Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "", UnwrapDeep(e.Value)));

    private static object? UnwrapDeep(object? value)
    {
        value = Unwrap(value);
        if (value is IEnumerable many && !(value is string) && !(value is IDictionary))
            return many.Cast<object?>().Select(Unwrap).ToList();
        return value;
    }

    private static string HeaderValue(object? value)
    {
        if (value is IEnumerable many && !(value is string))
            return string.Join(", ", many.Cast<object?>().Select(v => Convert.ToString(Unwrap(v), CultureInfo.InvariantCulture)));
        return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
    }

    private void WriteResponse(SocialOsResponse response)
    {
        SetVariables(response);
        switch (OutputType.ToUpperInvariant())
        {
            case "RESPONSE":
                WriteObject(ResponseObject(response));
                return;
            case "JSON":
                if (response.Body.Length > 0) WriteObject(response.Text);
                return;
        }
        if (response.Body.Length == 0) return;
        if (!response.IsJson)
        {
            WriteObject(response.Text);
            return;
        }
        using var document = response.ParseJson();
        WriteValue(document.RootElement);
    }

    /// <summary>Writes one page; returns its next_cursor, or null when it is the last (or not a list).</summary>
    private string? WritePage(SocialOsResponse response)
    {
        SetVariables(response);
        if (!response.IsJson)
        {
            WriteResponse(response);
            return null;
        }
        using var document = response.ParseJson();
        var root = document.RootElement;
        var isList = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array;
        string? next = null;
        if (isList && root.TryGetProperty("next_cursor", out var cursor) && cursor.ValueKind == JsonValueKind.String && cursor.GetString()!.Length > 0)
            next = cursor.GetString();
        switch (OutputType.ToUpperInvariant())
        {
            case "RESPONSE":
                WriteObject(ResponseObject(response));
                break;
            case "JSON":
                WriteObject(response.Text);
                break;
            default:
                WriteValue(isList ? root.GetProperty("data") : root);
                break;
        }
        return next;
    }

    /// <summary>An array is written item by item; anything else as one object.</summary>
    private void WriteValue(JsonElement element)
    {
        var asHashtable = string.Equals(OutputType, "Hashtable", StringComparison.OrdinalIgnoreCase);
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) WriteObject(JsonBody.ToPowerShell(item, asHashtable));
            return;
        }
        WriteObject(JsonBody.ToPowerShell(element, asHashtable));
    }

    private static PSObject ResponseObject(SocialOsResponse response)
    {
        var result = new PSObject();
        result.TypeNames.Insert(0, "GiftStudio.SocialOSResponse");
        result.Properties.Add(new PSNoteProperty("StatusCode", response.StatusCode));
        result.Properties.Add(new PSNoteProperty("ReasonPhrase", response.ReasonPhrase));
        result.Properties.Add(new PSNoteProperty("Headers", HeaderTable(response)));
        result.Properties.Add(new PSNoteProperty("Body", response.Text));
        result.Properties.Add(new PSNoteProperty("AppliedBy", response.AppliedBy));
        result.Properties.Add(new PSNoteProperty("Replayed", response.Replayed));
        return result;
    }

    private static Dictionary<string, string[]> HeaderTable(SocialOsResponse response) =>
        response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>As Invoke-RestMethod: set in the caller's scope; with several items, the last one's.</summary>
    private void SetVariables(SocialOsResponse response)
    {
        if (StatusCodeVariable != null) SessionState.PSVariable.Set(StatusCodeVariable, response.StatusCode);
        if (ResponseHeadersVariable != null) SessionState.PSVariable.Set(ResponseHeadersVariable, HeaderTable(response));
    }

    /// <summary>A failed item sets -StatusCodeVariable too: its HTTP status, or 0 when no
    /// answer came or it was refused before it was sent.</summary>
    protected override object? ErrorTarget(Exception error, object? target)
    {
        if (StatusCodeVariable != null) SessionState.PSVariable.Set(StatusCodeVariable, error is SocialOsException api ? api.StatusCode : 0);
        return base.ErrorTarget(error, target);
    }
}
