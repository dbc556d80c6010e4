using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Stop-SocialSandbox: stops a sandbox started by Start-SocialSandbox.</summary>
[Cmdlet(VerbsLifecycle.Stop, "SocialSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class StopSocialSandboxCommand : PSCmdlet
{
    /// <summary>The sandbox's process id (bound from Start-SocialSandbox's output).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public int ProcessId { get; set; }

    /// <summary>Keep the temporary folder Start-SocialSandbox made (its log, and the data file
    /// and its key when -DataPath was not given). A -DataPath file and its key are always kept.</summary>
    [Parameter]
    public SwitchParameter KeepData { get; set; }

    protected override void ProcessRecord()
    {
        if (!SandboxLauncher.IsStartedHere(ProcessId) && SandboxLauncher.WasStoppedHere(ProcessId))
        {
            // Stopping twice reaches the state asked for: say so, quietly.
            WriteVerbose($"Sandbox process {ProcessId} was already stopped by Stop-SocialSandbox in this session; nothing to do.");
            return;
        }
        if (!SandboxLauncher.IsStartedHere(ProcessId))
        {
            WriteError(ErrorRecords.Record(
                new InvalidOperationException($"Process {ProcessId} is not a sandbox started by Start-SocialSandbox in this session; not stopping it."),
                ErrorIds.SandboxNotStartedHere, ErrorCategory.InvalidArgument, ProcessId, null));
            return;
        }
        if (!ShouldProcess($"sandbox process {ProcessId}", "Stop")) return;
        if (!SandboxLauncher.Stop(ProcessId, KeepData))
            WriteVerbose($"Sandbox process {ProcessId} had already exited.");
    }
}
