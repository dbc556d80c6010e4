using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>Reading values as PowerShell hands them over: the object inside a PSObject
/// wrapper, and a common parameter's effective value.</summary>
internal static class PSValue
{
    /// <summary>The base object of a PSObject wrapper, else the value itself.</summary>
    public static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;

    /// <summary>A common parameter as the cmdlet sees it: the bound value (-Verbose,
    /// -ErrorAction), else its preference variable ($VerbosePreference, $ErrorActionPreference).
    /// <paramref name="bound"/> is true when the parameter itself was given.</summary>
    public static object? BoundOrPreference(PSCmdlet cmdlet, string parameter, string preferenceVariable, out bool bound)
    {
        bound = cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out var value);
        return Unwrap(bound ? value : cmdlet.SessionState.PSVariable.GetValue(preferenceVariable));
    }
}
