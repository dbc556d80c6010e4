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
            throw new SocialOsConfigurationException("NoApiKey", "No API key: connect with Connect-SocialOS -ApiKey, or set SOCIALOS_API_KEY.");
        var uri = request.RequestUri!;
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            throw new SocialOsConfigurationException("InsecureTransport",
                $"Refusing to send the API key over plain http to {uri.Host}: anyone on the network could read it. Use an https:// base URI (plain http is allowed only for loopback addresses such as a local sandbox).");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Reveal(_apiKey));
        return base.SendAsync(request, cancellationToken);
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
