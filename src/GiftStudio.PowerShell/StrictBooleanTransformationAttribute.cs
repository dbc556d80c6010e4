using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>Reads a switch from pipeline input strictly: PowerShell would take any
/// non-empty string, "false" included, as $true. Accepts true/false, yes/no, 1/0 (any
/// case); an empty CSV cell means not given (false); anything else is an error for that row.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class StrictBooleanTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = PSValue.Unwrap(inputData);
        if (value is SwitchParameter already) return already;
        try
        {
            return new SwitchParameter(StrictInput.Boolean(value, "Badge") ?? false);
        }
        catch (SocialOsInputException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
