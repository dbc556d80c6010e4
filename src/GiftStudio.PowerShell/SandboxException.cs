using System;

namespace GiftStudio.PowerShell;

/// <summary>The sandbox could not be started (runtime missing, startup failed).</summary>
[Serializable]
public sealed class SandboxException : Exception
{
    public SandboxException(string errorId, string message) : base(message) => ErrorId = errorId;

    public string ErrorId { get; }
}
