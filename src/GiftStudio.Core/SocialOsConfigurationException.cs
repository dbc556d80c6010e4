using System;

namespace GiftStudio;

/// <summary>A connection that cannot be used as configured (no key, a key over plain http
/// to a remote host); raised before anything is sent.</summary>
[Serializable]
public sealed class SocialOsConfigurationException : InvalidOperationException
{
    public SocialOsConfigurationException(string errorId, string message) : base(message) => ErrorId = errorId;

    /// <summary>A stable name: NoApiKey, InsecureTransport.</summary>
    public string ErrorId { get; }
}
