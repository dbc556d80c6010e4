using System;
using System.Security;

namespace GiftStudio;

/// <summary>Where and how a <see cref="SocialOsClient"/> talks to SocialOS v2.</summary>
public sealed class SocialOsClientOptions
{
    public static readonly Uri DefaultBaseUri = new Uri("https://sandbox.socialos.io/v2/");

    /// <summary>How long one attempt may take by default, in the unit of Connect-SocialOS -TimeoutSec.</summary>
    public const int DefaultTimeoutSeconds = 100;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

    private Uri _baseUri = DefaultBaseUri;

    /// <summary>The API root including the version path. Stored with a trailing slash:
    /// HttpClient drops the last segment of a base address without one.</summary>
    public Uri BaseUri
    {
        get => _baseUri;
        set => _baseUri = NormalizeBaseUri(value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The API key. Plain text exists only while a request header is written.</summary>
    public SecureString? ApiKey { get; set; }

    /// <summary>How long one attempt may take (until the response headers arrive).</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Retries of failed attempts (see <see cref="RetryPolicy"/>).</summary>
    public RetryPolicy Retry { get; set; } = new RetryPolicy();

    /// <summary>An explicit proxy. When null, the environment's proxy settings apply
    /// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). Loopback addresses are never proxied.</summary>
    public Uri? Proxy { get; set; }

    public System.Net.ICredentials? ProxyCredential { get; set; }

    /// <summary>Fails calls at once while the server gives no answer at all. Shared, not
    /// copied: give every client of one connection the same instance. Null for none.</summary>
    public CircuitBreaker? CircuitBreaker { get; set; }

    /// <summary>Where diagnostics go (request lines, statuses, timings); null for none.</summary>
    public IRequestLog? Log { get; set; }

    /// <summary>How long GiftStudio.Http's factory uses one handler chain (and so one pool of
    /// TCP connections, each with the address DNS gave when it opened) before building a
    /// fresh one: two minutes, so a runbook that runs for hours follows a DNS change within
    /// about that plus the record's TTL, at the cost of one new connection (and TLS
    /// handshake) per two minutes. The factory's own default, and what .NET Framework's
    /// ServicePointManager.DnsRefreshTimeout uses.</summary>
    public static readonly TimeSpan DefaultHandlerLifetime = TimeSpan.FromMinutes(2);

    /// <summary>The handler lifetime; only tests shorten it.</summary>
    internal TimeSpan HandlerLifetime { get; set; } = DefaultHandlerLifetime;

    /// <summary>Called each time a handler chain is built (tests observe rotation with it).</summary>
    internal Action? HandlerChainBuilt { get; set; }

    public static Uri NormalizeBaseUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"The base URI '{uri}' must be an absolute http or https URI, e.g. https://sandbox.socialos.io/v2.", nameof(uri));
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"The base URI '{uri}' must not have a query or fragment.", nameof(uri));
        var text = uri.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
    }

    internal SocialOsClientOptions Clone()
    {
        var copy = (SocialOsClientOptions)MemberwiseClone();
        copy.Retry = Retry.Clone();
        return copy;
    }
}

/// <summary>Receives the client's diagnostics. Called from any thread; never given a key.</summary>
public interface IRequestLog
{
    void Verbose(string message);

    void Debug(string message);
}

/// <summary>Optionally implemented by an <see cref="IRequestLog"/> that knows which levels
/// anyone will read, so the client does not format lines (headers) that are dropped.</summary>
public interface IRequestLogLevels
{
    bool VerboseEnabled { get; }

    bool DebugEnabled { get; }
}
