using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Start-SocialSandbox: a local SocialOS v2 server, one command away.</summary>
[Cmdlet(VerbsLifecycle.Start, "SocialSandbox")]
[OutputType(typeof(SocialSandbox))]
public sealed class StartSocialSandboxCommand : PSCmdlet
{
    private readonly System.Threading.CancellationTokenSource _stopping = new System.Threading.CancellationTokenSource();

    /// <summary>The loopback port; 0 (default) picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The SQLite data file; default a fresh file in a new temporary folder. Its key is
    /// kept beside it (DataPath.key, owner-only), so the file reopens with its data.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DataPath { get; set; }

    /// <summary>The key to serve, instead of the data file's own one (kept in DataPath.key).</summary>
    [Parameter]
    [ValidateNotNull]
    public System.Security.SecureString? ApiKey { get; set; }

    /// <summary>Start the sandbox's clock at this instant (it then advances in real time): a
    /// DateTime, a DateTimeOffset or ISO 8601 text, read as every date input of the module is.</summary>
    [Parameter]
    public object? Now { get; set; }

    /// <summary>Users, days[, events]: fill the new data file with a realistic history, e.g.
    /// -Seed 200,30. Checked by <see cref="SandboxSeed.Argument"/>, which the sandbox's own check
    /// agrees with.</summary>
    [Parameter]
    public int[]? Seed { get; set; }

    /// <summary>Requests per second allowed per key (off by default).</summary>
    [Parameter]
    [ValidateRange(0.1, 1000000)]
    public double? RateLimit { get; set; }

    /// <summary>Inject faults for testing clients, e.g. 'seed=7,503=0.2,drop=0.1' (see about_GiftStudio).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Faults { get; set; }

    /// <summary>Keep the data in memory (a temporary file on a RAM-backed folder, not flushed
    /// to disk), gone when the sandbox ends: for test suites. Not with -DataPath.</summary>
    [Parameter]
    public SwitchParameter InMemory { get; set; }

    /// <summary>Start from an empty data file: the sandbox wipes a file it created; any other
    /// non-empty file only with -Force.</summary>
    [Parameter]
    public SwitchParameter Fresh { get; set; }

    /// <summary>With -Fresh: wipe the file even if the sandbox did not create it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void StopProcessing() => _stopping.Cancel();

    protected override void EndProcessing()
    {
        if (InMemory && (DataPath != null || Fresh))
            ThrowTerminatingError(ErrorRecords.From(new SocialOsInputException(ErrorIds.InvalidInMemory, nameof(InMemory), DataPath,
                "-InMemory keeps no data file and always starts empty: leave out -DataPath and -Fresh, or leave out -InMemory to keep the data."), DataPath));
        try
        {
            var settings = new SandboxLauncher.Settings
            {
                Port = Port,
                DataPath = DataPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataPath),
                Now = StrictInput.UtcDateTime(PSValue.Unwrap(Now), nameof(Now)),
                Seed = Seed == null ? null : SandboxSeed.Argument(Seed),
                RateLimit = RateLimit,
                Faults = Faults,
                Fresh = Fresh.IsPresent,
                InMemory = InMemory.IsPresent,
                Force = Force.IsPresent,
                ApiKey = ApiKey != null && ApiKey.Length > 0 ? ApiKey : null,
                Warn = WriteWarning,
                Verbose = WriteVerbose,
            };
            var sandbox = SandboxLauncher.Start(settings, _stopping.Token);
            WriteVerbose($"Sandbox {sandbox.ProcessId} listening at {sandbox.BaseUri}; data {sandbox.DataPath ?? "in memory"}; key {sandbox.KeyPath ?? (InMemory ? "generated for this run" : "from -ApiKey")}; log {sandbox.LogPath}.");
            WriteObject(sandbox);
        }
        catch (SandboxException e)
        {
            ThrowTerminatingError(ErrorRecords.Record(e, e.ErrorId,
                e.ErrorId == ErrorIds.SandboxStartFailed ? ErrorCategory.InvalidResult : ErrorCategory.NotInstalled, DataPath, null));
        }
        catch (SocialOsInputException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }
}
