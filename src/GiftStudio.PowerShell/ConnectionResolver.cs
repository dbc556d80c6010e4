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
    public static SocialOSConnection Resolve(SocialOSConnection? given) =>
        Find(given) ?? throw new SocialOsConfigurationException("NotConnected",
            "Not connected to SocialOS: run Connect-SocialOS (or Start-SocialSandbox | Connect-SocialOS), pass -Connection, or set SOCIALOS_API_KEY.");
}
