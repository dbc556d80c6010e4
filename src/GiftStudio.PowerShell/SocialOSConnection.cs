using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Security;
using System.Threading;
using GiftStudio.Http;

namespace GiftStudio.PowerShell;

/// <summary>A connection to SocialOS: where, with which settings, and since when. The key
/// is held as a SecureString inside and is never a property, so the object can be shown,
/// logged or exported without revealing it.</summary>
public sealed class SocialOSConnection : IDisposable
{
    private readonly SecureString _apiKey;
    private readonly Lazy<SocialOsClient> _client;
    private readonly Lazy<SocialOsClient> _quickClient;

    internal SocialOSConnection(Uri baseUri, SecureString apiKey, string keySource, TimeSpan timeout, RetryPolicy? retry = null, ProxySettings? proxy = null,
        CircuitBreaker? breaker = null)
    {
        // One breaker per connection, shared by both clients: its state outlives any handler.
        CircuitBreaker = breaker ?? new CircuitBreaker();
        Retry = retry ?? new RetryPolicy();
        Proxy = proxy;
        BaseUri = SocialOsClientOptions.NormalizeBaseUri(baseUri);
        _apiKey = apiKey.Copy();
        _apiKey.MakeReadOnly();
        KeySource = keySource;
        Timeout = timeout;
        ConnectedAt = DateTime.UtcNow;
        // The HTTP stack is built on first use, not at connect or import time.
        _client = new Lazy<SocialOsClient>(() => SocialOsHttp.CreateClient(new SocialOsClientOptions
        {
            BaseUri = BaseUri,
            ApiKey = _apiKey,
            Timeout = Timeout,
            Retry = Retry,
            CircuitBreaker = CircuitBreaker,
            Proxy = Proxy?.Address,
            ProxyCredential = Proxy?.Credential,
        }), LazyThreadSafetyMode.ExecutionAndPublication);
        // For tab completion: one short attempt, never a retry or a long wait.
        _quickClient = new Lazy<SocialOsClient>(() => SocialOsHttp.CreateClient(new SocialOsClientOptions
        {
            BaseUri = BaseUri,
            ApiKey = _apiKey,
            Timeout = GiftIdCompleter.Timeout,
            Retry = new RetryPolicy { MaxRetries = 0 },
            CircuitBreaker = CircuitBreaker,
            Proxy = Proxy?.Address,
            ProxyCredential = Proxy?.Credential,
        }), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Uri BaseUri { get; }

    /// <summary>Where the key came from: Parameter, Credential, Environment or Prompt.</summary>
    public string KeySource { get; }

    public TimeSpan Timeout { get; }

    public int MaxRetries => Retry.MaxRetries;

    internal RetryPolicy Retry { get; }

    internal CircuitBreaker CircuitBreaker { get; }

    /// <summary>Closed (calls go through), Open (they fail at once) or HalfOpen (one trial call is out).</summary>
    public CircuitState CircuitState => CircuitBreaker.State;

    /// <summary>Consecutive answerless attempts that open the breaker; 0 when it is off.</summary>
    public int CircuitBreakerThreshold => CircuitBreaker.FailureThreshold;

    public TimeSpan CircuitBreakerDuration => CircuitBreaker.BreakDuration;

    /// <summary>The explicit proxy, if any (otherwise HTTPS_PROXY/NO_PROXY apply).</summary>
    public Uri? ProxyUri => Proxy?.Address;

    internal ProxySettings? Proxy { get; }

    internal SocialOsClient QuickClient => _quickClient.Value;

    public DateTime ConnectedAt { get; }

    public bool IsLoopback => Pipeline.AuthenticationHandler.IsLoopback(BaseUri);

    internal SocialOsClient Client => _client.Value;

    public override string ToString() => BaseUri.ToString();

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
        if (_quickClient.IsValueCreated) _quickClient.Value.Dispose();
        _apiKey.Dispose();
    }
}

internal sealed class ProxySettings
{
    public ProxySettings(Uri address, System.Net.NetworkCredential? credential)
    {
        Address = address;
        Credential = credential;
    }

    public Uri Address { get; }
    public System.Net.NetworkCredential? Credential { get; }
}

/// <summary>The current connection of each runspace. Keyed by the runspace itself, so
/// ThreadJobs and ForEach-Object -Parallel runspaces never share one by accident, and a
/// closed runspace's connection goes with it.</summary>
internal static class CurrentConnection
{
    private sealed class Slot
    {
        public SocialOSConnection? Connection;
    }

    private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

    public static SocialOSConnection? Get() =>
        Runspace.DefaultRunspace is Runspace runspace && Slots.TryGetValue(runspace, out var slot) ? slot.Connection : null;

    /// <summary>The connection the next API call of this runspace uses when it gets no
    /// -Connection: the current one, else one made from SOCIALOS_API_KEY (and
    /// SOCIALOS_BASE_URI), which then becomes the current one; null when neither exists.
    /// The one place for this rule: the cmdlets, Get-SocialOSConnection and tab completion.</summary>
    public static SocialOSConnection? Resolve()
    {
        var connection = Get();
        if (connection != null || Runspace.DefaultRunspace == null) return connection;
        connection = ConnectionFactory.FromEnvironment(timeout: null);
        if (connection != null) Set(connection);
        return connection;
    }

    /// <summary>Sets the runspace's connection and returns the one it replaces.</summary>
    public static SocialOSConnection? Set(SocialOSConnection? connection)
    {
        var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace on this thread.");
        var slot = Slots.GetValue(runspace, _ => new Slot());
        var previous = slot.Connection;
        slot.Connection = connection;
        return previous;
    }
}
