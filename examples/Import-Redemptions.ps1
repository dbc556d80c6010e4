<#
.SYNOPSIS
    A runbook: import redemptions from CSV, export the results and the failures, safe to re-run.
.DESCRIPTION
    Reads a CSV with the columns UserId, Value (alias Reward), and optionally Action, GiftId
    and IdempotencyKey, applies every row with Set-SocialTierScore, writes the new scores to
    -ResultPath and the rows that failed to -FailurePath. One bad row never stops the others.

    The failure file is itself an input for this runbook: each row keeps its UserId, Value,
    Action and GiftId, and says what to do with it (Recovery):
      RerunAsIs        the outcome is unknown or nothing was applied (network, server, circuit
                       breaker): the row carries the IdempotencyKey its call used, so running
                       this runbook on the failure file applies it exactly once.
      FixAndSendAsNew  the server refused the row itself (400, 404, 422) or it was invalid here:
                       correct it first; its IdempotencyKey is left empty so it is sent as new.

    The whole run is safe to restart from the top (a runbook host that suspends and restarts
    the job, a scheduler's retry, an admin re-running yesterday's script): rows without an
    IdempotencyKey column get keys derived from -RunId, so rows applied before come back as
    replays and only the rest are applied. -RunId defaults to the file's name and the date it
    was last written (UTC); pass the job id of your runbook host instead where it has one.

    Exits 1 when any row failed, 0 otherwise, so a scheduler sees the outcome. Connects from
    SOCIALOS_API_KEY / SOCIALOS_BASE_URI when no connection exists. At the end it prints one
    line: how many rows were applied now (by this run, also when the server replayed this
    run's own attempt whose answer was lost), applied before (by an earlier run: replayed),
    to fix and to re-run. The failure file names each row (Row, CsvLine).
.EXAMPLE
    pwsh -NonInteractive -File ./examples/Import-Redemptions.ps1 -Path redemptions.csv
.EXAMPLE
    # Azure Automation: the job id survives the suspend-and-restart of a job.
    ./examples/Import-Redemptions.ps1 -Path redemptions.csv -RunId $PSPrivateMetadata.JobId.Guid
.EXAMPLE
    # After a failed run: re-run exactly the rows still to do.
    pwsh -NonInteractive -File ./examples/Import-Redemptions.ps1 -Path redemption-failures.csv -FailurePath still-failing.csv
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [string] $ResultPath = 'redemption-results.csv',
    [string] $FailurePath = 'redemption-failures.csv',
    # Names this run for the derived idempotency keys; default: the file's name and date.
    [string] $RunId
)

if (-not $RunId) {
    $file = Get-Item -LiteralPath $Path
    $RunId = '{0}-{1:yyyyMMdd}' -f ($file.BaseName -replace '[^!-~]', '_'), $file.LastWriteTimeUtc
}

# A failure file (it has a Recovery column) holds rows to fix as well: only those marked
# RerunAsIs go again as they are. Its rows keep the Row and CsvLine of the original file.
$isFailureFile = (Get-Content -LiteralPath $Path -TotalCount 1) -match '(^|,)"?Recovery"?(,|$)'
$failures = $null
$import = @{ IdempotencyKeyPrefix = $RunId; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures' }
# Piped straight from Import-Csv, each error names the row's CSV line.
$results = @(if ($isFailureFile) {
        Import-Csv -LiteralPath $Path | Where-Object Recovery -ne 'FixAndSendAsNew' | Set-SocialTierScore @import
    } else {
        Import-Csv -LiteralPath $Path | Set-SocialTierScore @import
    })
$results | Export-Csv -LiteralPath $ResultPath -NoTypeInformation

$failed = @($failures | ForEach-Object {
    $row = $_.TargetObject
    $rerun = $_.Exception.PSObject.Properties['Recovery'] -and "$($_.Exception.Recovery)" -eq 'RerunAsIs'
    [pscustomobject]@{
        Row            = $row.Row
        CsvLine        = $row.CsvLine
        UserId         = $row.UserId
        Value          = if ($row.PSObject.Properties['Value']) { $row.Value } else { $row.Reward }
        Action         = if ($row.PSObject.Properties['Action']) { $row.Action } else { '' }
        GiftId         = if ($row.PSObject.Properties['GiftId']) { $row.GiftId } else { '' }
        IdempotencyKey = if ($rerun) { $_.Exception.IdempotencyKey } else { '' }
        Recovery       = if ($rerun) { 'RerunAsIs' } else { 'FixAndSendAsNew' }
        ErrorId        = $_.FullyQualifiedErrorId.Split(',')[0]
        Message        = "$_"
    }
})
$failed | Export-Csv -LiteralPath $FailurePath -NoTypeInformation

# AppliedBy: ThisCall (also a replay of this run's own lost attempt), EarlierCall, or ThisOrEarlierCall.
$now = @($results | Where-Object { "$($_.AppliedBy)" -eq 'ThisCall' }).Count
$before = @($results | Where-Object { "$($_.AppliedBy)" -eq 'EarlierCall' }).Count
$either = $results.Count - $now - $before
Write-Host ("{0} rows: applied now {1}, applied before {2}{3}, to fix {4}, to re-run {5}. Results: {6}; failures: {7}" -f `
    ($results.Count + $failed.Count), $now, $before, $(if ($either) { ", applied now or before $either" }),
    @($failed | Where-Object Recovery -eq 'FixAndSendAsNew').Count, @($failed | Where-Object Recovery -eq 'RerunAsIs').Count,
    $ResultPath, $FailurePath)
exit ([int]($failed.Count -gt 0))
