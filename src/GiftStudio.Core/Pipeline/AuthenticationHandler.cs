using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Pipeline;

/// <summary>First in the chain: puts the key into the Authorization header, the only place
/// it is ever plain text, and refuses to send it over plain http to anything but loopback.</summary>
public sealed class AuthenticationHandler : DelegatingHandler
{
    private readonly SecureString? _apiKey;

    public AuthenticationHandler(SecureString? apiKey) => _apiKey = apiKey;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_apiKey is null || _apiKey.Length == 0)
            throw new SocialOsConfigurationException(ErrorIds.NoApiKey, "No API key: connect with Connect-SocialOS -ApiKey, or set SOCIALOS_API_KEY.");
        // The last line of defence: Connect-SocialOS already checked the base URI, but a
        // client can be built without it, and a request URI is checked, not assumed.
        EnsureKeyMayGoTo(request.RequestUri!);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Reveal(_apiKey));
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The one rule for where the key may travel: https anywhere, plain http only to
    /// a loopback address. Throws InsecureTransport otherwise; <paramref name="source"/> names
    /// where the URI came from (e.g. -BaseUri) when that helps the user find it.</summary>
    public static void EnsureKeyMayGoTo(Uri uri, string? source = null)
    {
        if (uri is null) throw new ArgumentNullException(nameof(uri));
        if (uri.Scheme != Uri.UriSchemeHttp || IsLoopback(uri)) return;
        var from = source == null ? "" : $" (from {source})";
        throw new SocialOsConfigurationException(ErrorIds.InsecureTransport,
            $"Refusing to send the API key over plain http to {uri.GetLeftPart(UriPartial.Authority)}{from}: anyone on the network could read it. Use https:// (plain http is accepted only for loopback addresses such as a local sandbox).");
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static string Reveal(SecureString secret)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(pointer, secret.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
