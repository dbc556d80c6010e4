namespace GiftStudio.PowerShell;

/// <summary>Which connection a call uses: the one given (-Connection), else the runspace's
/// current one, else one made from the environment (SOCIALOS_API_KEY, SOCIALOS_BASE_URI), so
/// runbooks need no connect step. The one place for that order: the API cmdlets and tab
/// completion (the last two steps are <see cref="CurrentConnection.Resolve"/>).</summary>
internal static class ConnectionResolver
{
    /// <summary>The connection to use, or null when there is none anywhere.</summary>
    public static SocialOSConnection? Find(SocialOSConnection? given) => given ?? CurrentConnection.Resolve();

    /// <summary>The connection to use; a NotConnected error when there is none anywhere.</summary>
    public static SocialOSConnection Resolve(SocialOSConnection? given) => Find(given) ?? throw NotConnected();

    /// <summary>The one NotConnected error: what the API cmdlets and Get-SocialOSConnection
    /// say when there is no connection anywhere.</summary>
    public static SocialOsConfigurationException NotConnected() => new SocialOsConfigurationException(ErrorIds.NotConnected,
        $"Not connected to SocialOS: run Connect-SocialOS (or Start-SocialSandbox | Connect-SocialOS), or set {ConnectionFactory.ApiKeyVariable}; the API cmdlets also take -Connection.");
}
