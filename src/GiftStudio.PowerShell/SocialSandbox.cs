using System;
using System.Security;

namespace GiftStudio.PowerShell;

/// <summary>A running local sandbox, as Start-SocialSandbox returns it. Pipes into
/// Connect-SocialOS (BaseUri, ApiKey) and Stop-SocialSandbox (ProcessId).</summary>
public sealed class SocialSandbox
{
    internal SocialSandbox(Uri baseUri, SecureString apiKey, int processId, string? dataPath, string logPath, string? keyPath, string workDirectory)
    {
        KeyPath = keyPath;
        BaseUri = baseUri;
        ApiKey = apiKey;
        ProcessId = processId;
        DataPath = dataPath;
        LogPath = logPath;
        WorkDirectory = workDirectory;
    }

    /// <summary>The API root including /v2.</summary>
    public Uri BaseUri { get; }

    /// <summary>The key this sandbox serves, as a SecureString: the data file's own key, or -ApiKey.</summary>
    public SecureString ApiKey { get; }

    public int ProcessId { get; }

    /// <summary>The data file; null for a sandbox started -InMemory (nothing outlives it).</summary>
    public string? DataPath { get; }

    /// <summary>The sandbox's own request log.</summary>
    public string LogPath { get; }

    /// <summary>Where the data file's key is kept (DataPath + ".key", owner-only), so the file
    /// reopens with its data; null when the key came from -ApiKey.</summary>
    public string? KeyPath { get; }

    /// <summary>The temporary folder Start-SocialSandbox made (removed by Stop-SocialSandbox).</summary>
    internal string WorkDirectory { get; }

    public override string ToString() => BaseUri.ToString();
}
