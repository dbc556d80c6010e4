using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Get-SocialLeaderboard: the top users by tier score; ties share a rank.</summary>
[Cmdlet(VerbsCommon.Get, "SocialLeaderboard")]
[OutputType(typeof(SocialLeaderboardEntry))]
public sealed class GetSocialLeaderboardCommand : SocialCmdlet
{
    /// <summary>How many entries (1-1000, default 10).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, StrictInput.MaxLimit)]
    public int Top { get; set; } = 10;

    protected override void ProcessRecord()
    {
        try
        {
            var board = Run((client, cancel) => client.GetLeaderboardAsync(Top, cancel));
            WriteVerbose($"{board.Total} users have a score.");
            foreach (var entry in board.Entries) WriteObject(entry);
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, Top);
        }
    }
}
