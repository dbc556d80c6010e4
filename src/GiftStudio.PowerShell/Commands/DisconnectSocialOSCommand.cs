using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Disconnect-SocialOS: forgets this runspace's current connection and disposes its
/// HTTP clients (<see cref="CurrentConnection.Set"/>).</summary>
[Cmdlet(VerbsCommunications.Disconnect, "SocialOS")]
[OutputType(typeof(void))]
public sealed class DisconnectSocialOSCommand : PSCmdlet
{
    protected override void ProcessRecord()
    {
        var previous = CurrentConnection.Set(null);
        if (previous == null)
        {
            WriteVerbose("Not connected; nothing to do.");
            return;
        }
        // Not disposed: an object from -PassThru may still be in use with -Connection, and
        // its next call opens new clients.
        WriteVerbose($"Disconnected from {previous.BaseUri}.");
    }
}
