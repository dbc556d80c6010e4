<#
.SYNOPSIS
    How -ThrottleLimit scales under injected faults: N new users through Set-SocialTierScore
    against a sandbox started with -Faults, at each limit, fresh sandbox per run.
.EXAMPLE
    pwsh -NoProfile -File bench/throttle/Measure-ThrottleUnderFaults.ps1 -Module out/GiftStudio -Rows 120 -Limits 1,4,16
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [int] $Rows = 120,
    [int[]] $Limits = @(1, 4, 16),
    [string] $Faults = 'seed=11,503=0.25,drop=0.25,429=0.03'
)
Import-Module (Join-Path (Resolve-Path $Module) 'GiftStudio.psd1') -Force
foreach ($limit in $Limits) {
    $box = Start-SocialSandbox -InMemory -Faults $Faults
    try {
        $connection = $box | Connect-SocialOS -PassThru
        $rowsIn = 1..$Rows | ForEach-Object { [pscustomobject]@{ UserId = "throttle.user$_"; Value = 1 } }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @($rowsIn | Set-SocialTierScore -Connection $connection -ThrottleLimit $limit -ErrorVariable failed -ErrorAction SilentlyContinue)
        $watch.Stop()
        '{0,3} limit: {1,4} rows in {2,6:0.0} s ({3,5:0.0} rows/s); {4} results, {5} errors; faults {6}' -f $limit, $Rows, $watch.Elapsed.TotalSeconds,
            ($Rows / $watch.Elapsed.TotalSeconds), $results.Count, $failed.Count, $Faults
    }
    finally { $box | Stop-SocialSandbox }
}
