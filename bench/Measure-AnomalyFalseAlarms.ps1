<#
.SYNOPSIS
    The anomaly rule's false alarms and detection rate on seeded sandbox histories.
.DESCRIPTION
    For every combination of -Users, -Days and -Now it starts an in-memory sandbox with
    --seed USERS,DAYS and --now, reads the 90d daily rows of both metrics once, and judges
    them exactly as Get-SocialCurrencyAudit -Daily does ([GiftStudio.Reports.CurrencyAnomalies]::Annotate)
    as a 90-day window and as the 30-day window of its newest 30 rows (the API's 30d answer
    is those rows: windows end today).

    False alarms: the seeder plants no unusual day (a weekly rhythm, a slow trend, +-10 %
    noise a day, rewards that vary by campaign, campaigns that end inside the history), and
    every window lies inside the seeded days, so every flag on a judged (complete) day is a
    false one. Reported per 365 judged days, per metric and window.

    Detection: in a copy of the rows, one judged day at a time (every -PlantEvery-th) is set
    to 3x its expected count and 3x its expected value (the medians the rule computed for it),
    the copy is judged again, and the day counts as detected when it is flagged High.
.EXAMPLE
    dotnet pwsh -File bench/Measure-AnomalyFalseAlarms.ps1 -ModulePath ./out/GiftStudio
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int[]] $Users = @(80, 200, 500, 1500, 4000),
    [int[]] $Days = @(100, 200),
    # 20 days through 2026 (various weekdays and hours).
    [string[]] $Now = @(0..19 | ForEach-Object { ([datetime]'2026-01-05T09:00:00Z').ToUniversalTime().AddDays(17 * $_).AddHours(5 * $_ % 14).ToString('yyyy-MM-ddTHH:mm:ssZ') }),
    [double] $Threshold = 5,
    [int] $PlantEvery = 3
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'GiftStudio.psd1')
$annotate = [GiftStudio.Reports.CurrencyAnomalies]

function Copy-Rows($rows) {
    foreach ($r in $rows) { [GiftStudio.SocialCurrencyAuditDay]@{ Date = $r.Date; Count = $r.Count; Value = $r.Value; Metric = $r.Metric; Window = $r.Window } }
}

$results = [System.Collections.Generic.List[object]]::new()
$histories = 0
foreach ($u in $Users) {
    foreach ($d in $Days) {
        foreach ($instant in $Now) {
            $sandbox = Start-SocialSandbox -InMemory -Seed $u, $d -Now ([datetimeoffset]::Parse($instant, [cultureinfo]::InvariantCulture).UtcDateTime)
            try {
                $connection = $sandbox | Connect-SocialOS -PassThru
                $histories++
                foreach ($metric in 'gifts_redeemed', 'points_awarded') {
                    $all = @(Get-SocialCurrencyAudit -Connection $connection -Metric $metric -Window 90d -Daily)
                    foreach ($length in 30, 90) {
                        $rows = [GiftStudio.SocialCurrencyAuditDay[]]@(Copy-Rows ($all | Select-Object -First $length))
                        $annotate::Annotate($rows, $false, $Threshold)
                        $judged = @($rows | Where-Object { $null -ne $_.ExpectedCount })
                        $detected = 0; $planted = 0
                        for ($i = 0; $i -lt $judged.Count; $i += $PlantEvery) {
                            $target = $judged[$i]
                            $copy = [GiftStudio.SocialCurrencyAuditDay[]]@(Copy-Rows $rows)
                            $day = $copy | Where-Object Date -EQ $target.Date
                            $day.Count = [long][math]::Round(3 * $target.ExpectedCount)
                            $day.Value = [long][math]::Round(3 * $target.ExpectedValue)
                            $annotate::Annotate($copy, $false, $Threshold)
                            $planted++
                            if ($day.Anomaly -eq 'High') { $detected++ }
                        }
                        $results.Add([pscustomobject]@{
                            Users = $u; Days = $d; Now = $instant; Metric = $metric; Window = "$($length)d"
                            PerDay = [math]::Round(($rows | Select-Object -Skip 1 | Measure-Object Count -Average).Average)
                            Judged = $judged.Count
                            FalseFlags = @($judged | Where-Object Anomaly).Count
                            FalseCount = @($judged | Where-Object { $_.AnomalyIn -match 'Count' }).Count
                            FalseValue = @($judged | Where-Object { $_.AnomalyIn -match 'Value' }).Count
                            MaxAbsCount = ($judged | ForEach-Object { [math]::Abs($_.CountDeviation) } | Measure-Object -Maximum).Maximum
                            MaxAbsValue = ($judged | ForEach-Object { [math]::Abs($_.ValueDeviation) } | Measure-Object -Maximum).Maximum
                            Planted = $planted; Detected = $detected
                        })
                    }
                }
            }
            finally { $sandbox | Stop-SocialSandbox }
        }
        Write-Host "users $u, days $d done ($histories histories)"
    }
}
$results | Export-Csv -Path (Join-Path ([IO.Path]::GetTempPath()) 'anomaly-false-alarms.csv') -NoTypeInformation

function Summary($group, $name) {
    $judged = ($group | Measure-Object Judged -Sum).Sum
    $flags = ($group | Measure-Object FalseFlags -Sum).Sum
    $planted = ($group | Measure-Object Planted -Sum).Sum
    $detected = ($group | Measure-Object Detected -Sum).Sum
    [pscustomobject]@{
        Group = $name; Judged = $judged; FalseFlags = $flags
        'Per365' = [math]::Round(365 * $flags / [math]::Max(1, $judged), 2)
        Planted = $planted; Detected = $detected
        'Detection%' = [math]::Round(100 * $detected / [math]::Max(1, $planted), 1)
        MaxAbsCount = ($group | Measure-Object MaxAbsCount -Maximum).Maximum
        MaxAbsValue = ($group | Measure-Object MaxAbsValue -Maximum).Maximum
    }
}
"histories: $histories; threshold $Threshold"
$rows = foreach ($g in $results | Group-Object Metric, Window) { Summary $g.Group $g.Name }
$rows += foreach ($g in $results | Group-Object Metric) { Summary $g.Group "$($g.Name), both windows" }
$rows += foreach ($g in $results | Group-Object Users) { Summary $g.Group "users $($g.Name) (~$([math]::Round(($g.Group | Measure-Object PerDay -Average).Average)) events/day)" }
$rows | Format-Table -AutoSize | Out-String -Width 160
