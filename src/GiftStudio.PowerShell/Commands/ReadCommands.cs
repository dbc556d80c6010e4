using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands
{
    /// <summary>Get-SocialTierScore: a user's current score, tier and rank, unchanged.</summary>
    [Cmdlet(VerbsCommon.Get, "SocialTierScore")]
    [OutputType(typeof(SocialTierScore))]
    public sealed class GetSocialTierScoreCommand : SocialCmdlet
    {
        /// <summary>One or more user ids (from the pipeline by property name: Import-Csv users.csv | Get-SocialTierScore).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] UserId { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord() =>
            WriteEach(UserId, "UserId", (client, id, cancel) => client.GetTierScoreAsync(id, cancel));
    }

    /// <summary>Get-SocialLeaderboard: the top users by tier score; ties share a rank.</summary>
    [Cmdlet(VerbsCommon.Get, "SocialLeaderboard")]
    [OutputType(typeof(SocialLeaderboardEntry))]
    public sealed class GetSocialLeaderboardCommand : SocialCmdlet
    {
        /// <summary>How many entries (1-1000, default 10).</summary>
        [Parameter(Position = 0)]
        [ValidateRange(1, 1000)]
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
}
