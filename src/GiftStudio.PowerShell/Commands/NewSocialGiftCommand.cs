using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>New-SocialGift: creates a gift campaign.</summary>
[Cmdlet(VerbsCommon.New, "SocialGift", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SocialGift))]
public sealed class NewSocialGiftCommand : SocialWriteCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Name { get; set; } = "";

    /// <summary>bronze, silver, gold or platinum (any case).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(TierCompleter))]
    public string Tier { get; set; } = "";

    /// <summary>Points, a whole number. Taken as given (no rounding, no culture).</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public object? Reward { get; set; }

    /// <summary>Include a badge. From CSV: true/false, yes/no, 1/0; empty means no. Alias
    /// BadgeIncluded, the property of a SocialGift, so a gift pipes back in with its badge.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("BadgeIncluded")]
    [StrictBooleanTransformation]
    public SwitchParameter Badge { get; set; }

    /// <summary>When the campaign ends: a DateTime, a DateTimeOffset, ISO 8601 text (without an
    /// offset it is local time), or this culture's date and time with an offset as Export-Csv writes it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public object? Expires { get; set; }

    protected override string? ItemLabel => string.IsNullOrWhiteSpace(Name) ? null : $"gift '{Name.Trim()}'";

    protected override void ProcessRecord() =>
        ProcessWrite(TargetObject(Name), "Creating gifts", () =>
        {
            var gift = StrictInput.Gift(Name, Tier, Unwrap(Reward), Badge.IsPresent, Unwrap(Expires));
            var what = $"gift '{gift.Name}' ({gift.Tier}, {gift.Reward} points{(gift.Badge ? ", badge" : "")}{(gift.Expires is DateTime e ? $", expires {e:yyyy-MM-dd HH:mm}Z" : "")})";
            return new WriteOperation<SocialGift>(what, "Create", SocialOsClient.GiftsRoute, () => SocialOsClient.GiftRequestBody(gift), (client, key, cancel) => client.CreateGiftAsync(gift, key, cancel));
        });
}
