using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Set-SocialTierScore: changes a user's cumulative tier score by a value.</summary>
[Cmdlet(VerbsCommon.Set, "SocialTierScore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SocialTierScore))]
public sealed class SetSocialTierScoreCommand : SocialWriteCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string UserId { get; set; } = "";

    /// <summary>Points to add (a whole number; negative only with -Action adjustment).
    /// Alias Reward, so a gift piped in from New-SocialGift redeems it.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Reward")]
    [AllowEmptyString]
    public object? Value { get; set; }

    /// <summary>gift_redeemed (default) or adjustment.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ActionCompleter))]
    public string? Action { get; set; }

    /// <summary>The redeemed gift, linking the redemption to its tier.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ActiveGiftIdCompleter))]
    public string? GiftId { get; set; }

    protected override string? ItemLabel => string.IsNullOrWhiteSpace(UserId) ? null : $"user '{UserId.Trim()}'";

    protected override void ProcessRecord() =>
        ProcessWrite(TargetObject(UserId), "Updating tier scores", () =>
        {
            var update = StrictInput.ScoreUpdate(UserId, Unwrap(Value), Action, GiftId);
            var change = $"{update.Action} {update.Value:+#;-#;0}{(update.GiftId != null ? $" (gift {update.GiftId})" : "")}";
            // Rows of one user apply in input order, even with several in flight.
            return new WriteOperation<SocialTierScore>($"tier score of '{update.UserId}'", change, SocialOsClient.ScoreRoute, () => SocialOsClient.ScoreRequestBody(update),
                (client, key, cancel) => client.UpdateTierScoreAsync(update, key, cancel), orderingKey: update.UserId);
        });
}
