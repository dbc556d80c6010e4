using System;
using System.Security;

namespace GiftStudio.PowerShell
{
    /// <summary>A running local sandbox, as Start-SocialSandbox returns it. Pipes into
    /// Connect-SocialOS (BaseUri, ApiKey) and Stop-SocialSandbox (ProcessId).</summary>
    public sealed class SocialSandbox
    {
        internal SocialSandbox(Uri baseUri, SecureString apiKey, int processId, string dataPath, string logPath, string? ownedDirectory)
        {
            BaseUri = baseUri;
            ApiKey = apiKey;
            ProcessId = processId;
            DataPath = dataPath;
            LogPath = logPath;
            OwnedDirectory = ownedDirectory;
        }

        /// <summary>The API root including /v2.</summary>
        public Uri BaseUri { get; }

        /// <summary>The generated key of this sandbox, as a SecureString.</summary>
        public SecureString ApiKey { get; }

        public int ProcessId { get; }

        public string DataPath { get; }

        /// <summary>The sandbox's own request log.</summary>
        public string LogPath { get; }

        /// <summary>The temporary folder Start-SocialSandbox made (removed by Stop-SocialSandbox), if any.</summary>
        internal string? OwnedDirectory { get; }

        public override string ToString() => BaseUri.ToString();
    }
}
