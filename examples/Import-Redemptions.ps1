<#
.SYNOPSIS
    A runbook: import redemptions from CSV, export the results and the failures.
.DESCRIPTION
    Reads a CSV with the columns UserId, Value (alias Reward), and optionally Action, GiftId
    and IdempotencyKey, applies every row with Set-SocialTierScore, writes the new scores to
    -ResultPath and the rows that failed (with the error id and message) to -FailurePath.
    One bad row never stops the others. Exits 1 when any row failed, 0 otherwise, so a
    scheduler sees the outcome. Connects from SOCIALOS_API_KEY / SOCIALOS_BASE_URI when no
    connection exists.
.EXAMPLE
    pwsh -NonInteractive -File ./examples/Import-Redemptions.ps1 -Path redemptions.csv
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [string] $ResultPath = 'redemption-results.csv',
    [string] $FailurePath = 'redemption-failures.csv'
)

$rows = Import-Csv -LiteralPath $Path
$failures = $null
$results = $rows | Set-SocialTierScore -ErrorAction SilentlyContinue -ErrorVariable failures
$results | Export-Csv -LiteralPath $ResultPath -NoTypeInformation

$failed = @($failures | ForEach-Object {
    $row = $_.TargetObject
    [pscustomobject]@{
        UserId    = $row.UserId
        Value     = $row.Value
        ErrorId   = $_.FullyQualifiedErrorId.Split(',')[0]
        Message   = $_.Exception.Message
    }
})
$failed | Export-Csv -LiteralPath $FailurePath -NoTypeInformation

Write-Host ("Imported {0} of {1} rows; {2} failed. Results: {3}; failures: {4}" -f `
    @($results).Count, @($rows).Count, $failed.Count, $ResultPath, $FailurePath)
exit ([int]($failed.Count -gt 0))
