<#
.SYNOPSIS
    How often the anomaly flags fire on ordinary days: seeded sandbox histories (a weekly
    rhythm, a slow growth, rewards that vary by campaign, and no planted anomaly), both
    metrics, 30- and 90-day windows, counted at the thresholds 3.5 and 5.
.EXAMPLE
    dotnet pwsh -File bench/Measure-AnomalyFalseAlarms.ps1 -ModulePath ./out/GiftStudio
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int[]] $Users = @(100, 200, 500, 1000),
    [int] $Days = 90
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'GiftStudio.psd1')
$rows = foreach ($count in $Users) {
    $sandbox = Start-SocialSandbox -Seed $count, $Days
    try {
        $connection = $sandbox | Connect-SocialOS -PassThru
        foreach ($metric in 'gifts_redeemed', 'points_awarded') {
            foreach ($window in '30d', "$($Days)d") {
                # The lowest threshold, so every deviation is computed; flags are counted below.
                $judged = @(Get-SocialCurrencyAudit -Connection $connection -Metric $metric -Window $window -Daily -AnomalyThreshold 3.5 |
                    Where-Object { $null -ne $_.CountDeviation })
                $scores = @($judged | ForEach-Object { [math]::Abs($_.CountDeviation), [math]::Abs($_.ValueDeviation) })
                [pscustomobject]@{
                    Seed = "$count,$Days"; Metric = $metric; Window = $window; Judged = $scores.Count
                    Over35 = @($scores | Where-Object { $_ -gt 3.5 }).Count
                    Over5 = @($scores | Where-Object { $_ -gt 5 }).Count
                    MaxAbs = ($scores | Measure-Object -Maximum).Maximum
                }
            }
        }
    }
    finally { $sandbox | Stop-SocialSandbox }
}
$rows | Format-Table -AutoSize | Out-String -Width 120
"judged: $(($rows | Measure-Object Judged -Sum).Sum); beyond 3.5: $(($rows | Measure-Object Over35 -Sum).Sum); beyond 5: $(($rows | Measure-Object Over5 -Sum).Sum)"
