using System;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Connect-SocialOS: sets this runspace's current connection.</summary>
[Cmdlet(VerbsCommunications.Connect, "SocialOS", DefaultParameterSetName = KeySet)]
[OutputType(typeof(SocialOSConnection))]
public sealed class ConnectSocialOSCommand : PSCmdlet
{
    private const string KeySet = "ApiKey";
    private const string CredentialSet = "Credential";

    /// <summary>The API root including the version path; default SOCIALOS_BASE_URI, else the hosted service.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? BaseUri { get; set; }

    /// <summary>The API key; default SOCIALOS_API_KEY.</summary>
    [Parameter(ParameterSetName = KeySet, ValueFromPipelineByPropertyName = true)]
    public SecureString? ApiKey { get; set; }

    /// <summary>A credential whose password is the API key (the user name is not used).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Seconds one request attempt may take.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = SocialOsClientOptions.DefaultTimeoutSeconds;

    /// <summary>Retries of a failed attempt (429, 503, 409 always; network failures, timeouts and 5xx for idempotent calls).</summary>
    [Parameter]
    [ValidateRange(0, 20)]
    public int MaxRetries { get; set; } = RetryPolicy.DefaultMaxRetries;

    /// <summary>The first backoff in seconds; it doubles per retry, with jitter, up to 60 s.</summary>
    [Parameter]
    [ValidateRange(0.0, 60.0)]
    public double RetryBaseDelaySec { get; set; } = RetryPolicy.DefaultBaseDelaySeconds;

    /// <summary>Seconds all attempts and waits of one call may take together.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int RetryBudgetSec { get; set; } = RetryPolicy.DefaultBudgetSeconds;

    /// <summary>Consecutive attempts without any HTTP answer (refused, reset, timed out) after
    /// which calls fail at once instead of waiting out retries; 0 turns the breaker off.</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int CircuitBreakerThreshold { get; set; } = CircuitBreaker.DefaultFailureThreshold;

    /// <summary>Seconds the breaker stays open before one trial call tests the server again.</summary>
    [Parameter]
    [ValidateRange(0.0, 3600.0)]
    public double CircuitBreakerDurationSec { get; set; } = CircuitBreaker.DefaultBreakDuration.TotalSeconds;

    /// <summary>Seconds the server may answer no request at all while requests wait before
    /// the breaker opens (a hung or frozen server); 0 turns this stall rule off.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int StallTimeoutSec { get; set; } = CircuitBreaker.DefaultStallSeconds;

    /// <summary>A proxy for every request (loopback is never proxied). Default: HTTPS_PROXY / NO_PROXY.</summary>
    [Parameter]
    public Uri? Proxy { get; set; }

    /// <summary>Credentials for -Proxy.</summary>
    [Parameter]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>Also write the connection (without its key), which becomes the current one all the same.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Write the connection, for -Connection, without making it the current one:
    /// the current connection stays as it was.</summary>
    [Parameter]
    public SwitchParameter ReturnConnection { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var baseUri = ConnectionFactory.BaseUri(BaseUri);
            var (key, source) = ResolveKey();
            SocialOSConnection connection;
            using (key)
            {
                var retry = new RetryPolicy
                {
                    MaxRetries = MaxRetries,
                    BaseDelay = TimeSpan.FromSeconds(RetryBaseDelaySec),
                    Budget = TimeSpan.FromSeconds(RetryBudgetSec),
                };
                if (ProxyCredential != null && Proxy == null)
                    throw new SocialOsInputException(ErrorIds.InvalidProxyCredential, "ProxyCredential", null, "ProxyCredential needs -Proxy: credentials for the environment's proxy are not supported.");
                if (Proxy != null && (!Proxy.IsAbsoluteUri || (Proxy.Scheme != Uri.UriSchemeHttp && Proxy.Scheme != Uri.UriSchemeHttps)))
                    throw new SocialOsInputException(ErrorIds.InvalidProxy, "Proxy", Proxy, $"Proxy '{Proxy}' must be an absolute http:// or https:// URI such as http://proxy.example.com:8080.");
                var proxy = Proxy == null ? null : new ProxySettings(Proxy, ProxyCredential?.GetNetworkCredential());
                var breaker = new CircuitBreaker(CircuitBreakerThreshold, TimeSpan.FromSeconds(CircuitBreakerDurationSec), stallWindow: TimeSpan.FromSeconds(StallTimeoutSec));
                connection = new SocialOSConnection(baseUri, key, source, TimeSpan.FromSeconds(TimeoutSec), retry, proxy, breaker);
            }
            if (ReturnConnection)
            {
                WriteVerbose($"Made a connection to {connection.BaseUri} (key from {source}); the current connection is unchanged.");
                WriteObject(connection);
                return;
            }
            // The replaced connection disposes its clients but stays usable: a user may still hold it (-PassThru).
            CurrentConnection.Set(connection);
            WriteVerbose($"Connected to {connection.BaseUri} (key from {source}).");
            if (PassThru) WriteObject(connection);
        }
        catch (Exception e) when (e is SocialOsInputException || e is SocialOsConfigurationException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, BaseUri));
        }
    }

    private (SecureString Key, string Source) ResolveKey()
    {
        if (ApiKey != null && ApiKey.Length > 0) return (ApiKey.Copy(), "Parameter");
        if (Credential != null && Credential.Password.Length > 0) return (Credential.Password.Copy(), "Credential");
        var fromEnvironment = ConnectionFactory.EnvironmentKey();
        if (fromEnvironment != null) return (fromEnvironment, "Environment");
        if (CanPrompt())
        {
            Host.UI.Write("SocialOS API key: ");
            var typed = Host.UI.ReadLineAsSecureString();
            if (typed.Length > 0) return (typed, "Prompt");
        }
        throw new SocialOsConfigurationException(ErrorIds.NoApiKey,
            $"No API key: pass -ApiKey or -Credential, or set the environment variable {ConnectionFactory.ApiKeyVariable}.");
    }

    /// <summary>Only a person at an interactive host is ever asked; runbooks never are.</summary>
    private bool CanPrompt()
    {
        if (Host?.UI == null || Host.Name == "Default Host" || Host.Name == "ServerRemoteHost") return false;
        if (Environment.GetCommandLineArgs().Any(a => a.StartsWith("-noni", StringComparison.OrdinalIgnoreCase))) return false;
        if (Console.IsInputRedirected) return false;
        return Environment.UserInteractive;
    }
}
