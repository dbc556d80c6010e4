using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Get-SocialOSConnection: the connection the next call without -Connection uses
/// (the current one, else the one SOCIALOS_API_KEY makes), without its key.</summary>
[Cmdlet(VerbsCommon.Get, "SocialOSConnection")]
[OutputType(typeof(SocialOSConnection))]
public sealed class GetSocialOSConnectionCommand : PSCmdlet
{
    protected override void ProcessRecord()
    {
        SocialOSConnection? connection;
        try
        {
            connection = CurrentConnection.Resolve();
        }
        catch (Exception e) when (e is SocialOsInputException || e is SocialOsConfigurationException)
        {
            // A bad SOCIALOS_BASE_URI: the same error the next call would meet.
            WriteError(ErrorRecords.From(e, null));
            return;
        }
        if (connection == null)
        {
            WriteError(ErrorRecords.From(ConnectionResolver.NotConnected(), null));
            return;
        }
        WriteObject(connection);
    }
}
