using System;
using System.Net;

namespace GiftStudio.Pipeline;

/// <summary>The explicit proxy, or the environment's (HTTPS_PROXY/NO_PROXY), except that
/// loopback addresses are never proxied: a local sandbox must work behind any proxy.</summary>
public sealed class LoopbackBypassProxy : IWebProxy
{
    private readonly IWebProxy? _inner;

    public LoopbackBypassProxy(Uri? address, ICredentials? credentials)
    {
        _inner = address != null
            ? new WebProxy(address) { Credentials = credentials }
            : WebRequest.DefaultWebProxy;
    }

    public ICredentials? Credentials
    {
        get => _inner?.Credentials;
        set { if (_inner != null) _inner.Credentials = value; }
    }

    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? destination : _inner!.GetProxy(destination);

    public bool IsBypassed(Uri host) => AuthenticationHandler.IsLoopback(host) || _inner == null || _inner.IsBypassed(host);
}
