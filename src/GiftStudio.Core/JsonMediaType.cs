using System;
using System.Net.Http.Headers;

namespace GiftStudio;

/// <summary>What counts as a JSON body (application/json, or any +json type such as
/// application/problem+json), and the content type the client sends: the one place for both.</summary>
internal static class JsonMediaType
{
    /// <summary>application/json; charset=utf-8, as the contract asks of request bodies.</summary>
    public static readonly MediaTypeHeaderValue ForRequests = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

    public static bool Is(string? mediaType) =>
        mediaType != null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
