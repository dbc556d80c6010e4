using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Security;
using GiftStudio.Http;

namespace GiftStudio.PowerShell;

/// <summary>A connection to SocialOS: where, with which settings, and since when. The key
/// is held as a SecureString inside and is never a property, so the object can be shown,
/// logged or exported without revealing it. Its HTTP clients are built on first use and
/// disposed by <see cref="ReleaseClients"/> when it stops being the current connection; the
/// object itself stays usable (-Connection), and its next call builds them anew.</summary>
public sealed class SocialOSConnection : IDisposable
{
    private readonly SecureString _apiKey;
    private readonly ClientSlot _client;
    private readonly ClientSlot _quickClient;
    private volatile bool _disposed;

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
        _client = new ClientSlot(() => SocialOsHttp.CreateClient(new SocialOsClientOptions
        {
            BaseUri = BaseUri,
            ApiKey = _apiKey,
            Timeout = Timeout,
            Retry = Retry,
            CircuitBreaker = CircuitBreaker,
            Proxy = Proxy?.Address,
            ProxyCredential = Proxy?.Credential,
        }));
        // For tab completion: one short attempt, never a retry or a long wait.
        _quickClient = new ClientSlot(() => SocialOsHttp.CreateClient(new SocialOsClientOptions
        {
            BaseUri = BaseUri,
            ApiKey = _apiKey,
            Timeout = GiftIdCompleter.Timeout,
            Retry = new RetryPolicy { MaxRetries = 0 },
            CircuitBreaker = CircuitBreaker,
            Proxy = Proxy?.Address,
            ProxyCredential = Proxy?.Credential,
        }));
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

    internal SocialOsClient QuickClient => Open(_quickClient);

    public DateTime ConnectedAt { get; }

    public bool IsLoopback => Pipeline.AuthenticationHandler.IsLoopback(BaseUri);

    internal SocialOsClient Client => Open(_client);

    /// <summary>Whether it holds HTTP clients (with their pooled connections) now: false
    /// before the first call and after Disconnect-SocialOS or a replacing Connect-SocialOS.</summary>
    internal bool HasOpenClients => _client.IsBuilt || _quickClient.IsBuilt;

    public override string ToString() => BaseUri.ToString();

    /// <summary>Disposes the HTTP clients (each with its factory) once it is no longer the
    /// current connection. A variable may still hold it for -Connection, so the connection
    /// itself is not disposed: a later call builds new clients, with the same settings and the
    /// same circuit breaker. A call already under way keeps the client it has: a disposed
    /// client refuses new calls, and its factory's handler chains (with their pooled
    /// connections) are retired as rotated ones are, only once no call is left on them
    /// (Microsoft.Extensions.Http's factory does not dispose them itself).</summary>
    internal void ReleaseClients()
    {
        _client.Release();
        _quickClient.Release();
    }

    /// <summary>Disposes the clients and forgets the key: the object cannot call again.</summary>
    public void Dispose()
    {
        _disposed = true;
        ReleaseClients();
        _apiKey.Dispose();
    }

    private SocialOsClient Open(ClientSlot slot) =>
        _disposed ? throw new SocialOsConfigurationException(ErrorIds.NotConnected, $"The connection to {BaseUri} was disposed (its key is gone): connect again with Connect-SocialOS.") : slot.Value;

    /// <summary>A client built on first use; Release disposes it, and the next use builds another.</summary>
    private sealed class ClientSlot
    {
        private readonly Func<SocialOsClient> _build;
        private readonly object _gate = new object();
        private SocialOsClient? _built;

        public ClientSlot(Func<SocialOsClient> build) => _build = build;

        public bool IsBuilt
        {
            get
            {
                lock (_gate) return _built != null;
            }
        }

        public SocialOsClient Value
        {
            get
            {
                lock (_gate) return _built ??= _build();
            }
        }

        public void Release()
        {
            SocialOsClient? released;
            lock (_gate)
            {
                released = _built;
                _built = null;
            }
            released?.Dispose();
        }
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

    /// <summary>Sets the runspace's connection and returns the one it replaces, whose
    /// clients are released (<see cref="SocialOSConnection.ReleaseClients"/>).</summary>
    public static SocialOSConnection? Set(SocialOSConnection? connection)
    {
        var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace on this thread.");
        var slot = Slots.GetValue(runspace, _ => new Slot());
        var previous = slot.Connection;
        slot.Connection = connection;
        if (previous != null && !ReferenceEquals(previous, connection)) previous.ReleaseClients();
        return previous;
    }
}
