using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

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
