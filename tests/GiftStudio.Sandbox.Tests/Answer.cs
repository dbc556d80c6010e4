using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>One HTTP exchange, read completely: status, headers, raw body bytes.</summary>
public sealed class Answer
{
    private JsonElement? _json;

    public Answer(HttpResponseMessage response, byte[] body)
    {
        Status = (int)response.StatusCode;
        Headers = response.Headers;
        ContentHeaders = response.Content.Headers;
        Body = body;
        Text = Encoding.UTF8.GetString(body);
    }

    public int Status { get; }
    public HttpResponseHeaders Headers { get; }
    public HttpContentHeaders ContentHeaders { get; }
    public byte[] Body { get; }
    public string Text { get; }
    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    /// <summary>The body as JSON (parsed once); fails the test with the body when it is not JSON.</summary>
    public JsonElement Json
    {
        get
        {
            if (_json is null)
            {
                try
                {
                    using var document = JsonDocument.Parse(Body);
                    _json = document.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    Assert.Fail($"The body is not JSON ({e.Message}): {this}");
                }
            }
            return _json!.Value;
        }
    }

    /// <summary>A response or content header, values joined with ", "; null when absent.</summary>
    public string? Header(string name)
    {
        if (Headers.TryGetValues(name, out var values) || ContentHeaders.TryGetValues(name, out values))
            return string.Join(", ", values);
        return null;
    }

    public string RequestId => Header("X-Request-Id") ?? "";

    public override string ToString() => $"HTTP {Status} {MediaType ?? "(no content type)"} {(Body.Length == 0 ? "(empty body)" : Text)}";
}
