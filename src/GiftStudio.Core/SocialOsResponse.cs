using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace GiftStudio;

/// <summary>The answer to a general request: status, headers (response and content) and the
/// body as sent. A JSON body has already been checked to parse.</summary>
public sealed class SocialOsResponse
{
    public SocialOsResponse(int statusCode, string? reasonPhrase, IReadOnlyDictionary<string, string[]> headers, byte[] body, string? mediaType, AppliedBy? appliedBy)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Body = body;
        MediaType = mediaType;
        AppliedBy = appliedBy;
    }

    public int StatusCode { get; }
    public string? ReasonPhrase { get; }

    /// <summary>Every response and content header, by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, string[]> Headers { get; }
    public byte[] Body { get; }
    public string? MediaType { get; }

    /// <summary>For a request that changes something: who applied it (<see cref="GiftStudio.AppliedBy"/>);
    /// a replay of this call's own lost attempt is ThisCall. Null for a read.</summary>
    public AppliedBy? AppliedBy { get; }

    /// <summary>The server answered from its idempotency record for an earlier call (AppliedBy EarlierCall).</summary>
    public bool Replayed => AppliedBy == GiftStudio.AppliedBy.EarlierCall;

    public bool IsJson => Body.Length > 0 && JsonMediaType.Is(MediaType);

    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Parses the JSON body (the caller disposes the document).</summary>
    public JsonDocument ParseJson() => JsonDocument.Parse(Body);
}
