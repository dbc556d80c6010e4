using System;
using System.Net.Http;
using GiftStudio.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace GiftStudio.Http;

/// <summary>Builds a <see cref="SocialOsClient"/> whose HttpClients come from
/// Microsoft.Extensions.Http with the handler chain, outermost first:
/// authentication → retry (per-attempt timeout, backoff) → diagnostics (each attempt) → the socket handler.
/// Every POST already carries its Idempotency-Key (SocialOsClient), kept across retries.</summary>
public static class SocialOsHttp
{
    private const string ClientName = "SocialOS";

    public static SocialOsClient CreateClient(SocialOsClientOptions options)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        // The client's settings are fixed at creation: later changes to the caller's object do not leak in.
        options = options.Clone();
        var services = new ServiceCollection();
        services.AddHttpClient(ClientName, http =>
            {
                http.BaseAddress = options.BaseUri;
                // Each attempt has its own timeout (options.Timeout), set by the client.
                http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() =>
            {
                options.HandlerChainBuilt?.Invoke();
                return new HttpClientHandler
                {
                    AllowAutoRedirect = false,
                    MaxConnectionsPerServer = 64,
                    UseProxy = true,
                    Proxy = new LoopbackBypassProxy(options.Proxy, options.ProxyCredential),
                };
            })
            .AddHttpMessageHandler(() => new AuthenticationHandler(options.ApiKey))
            // The breaker is the connection's (options.CircuitBreaker), not the handler's: its
            // state outlives every rotation of the chain.
            .AddHttpMessageHandler(() => new RetryHandler(options.Retry, options.Timeout, options.Log, options.CircuitBreaker))
            .AddHttpMessageHandler(() => new DiagnosticsHandler(options.Log))
            // The factory's own logging handlers (two per call) log to nothing here: our
            // diagnostics are DiagnosticsHandler's.
            .RemoveAllLoggers()
            // A fresh chain, and so fresh connections and a fresh DNS lookup, every
            // HandlerLifetime; calls in flight finish on the chain they started on.
            .SetHandlerLifetime(options.HandlerLifetime);
        var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        // One HttpClient per call: that is how the factory's current chain reaches each call.
        return new SocialOsClient(() => factory.CreateClient(ClientName), options, provider);
    }

    public static string UserAgent { get; } =
        $"GiftStudio/{typeof(SocialOsClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";
}
