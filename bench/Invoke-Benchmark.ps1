<#
.SYNOPSIS
    GiftStudio's benchmark: every figure side by side in one run, medians of repetitions,
    written as a markdown report (build.ps1 -Task Bench runs it).
.DESCRIPTION
    1-3 run against an in-memory sandbox (Start-SocialSandbox -InMemory), so the server hides
    as little of the module's own cost as it can:
    1. N CSV rows through New-SocialGift vs Import-Csv | ForEach-Object { Invoke-RestMethod },
       sequential and with 8 in flight (vs ForEach-Object -Parallel -ThrottleLimit 8).
    2. The raw C# HttpClient load generator with 8 in flight and with 1: the ceilings a client
       can reach, with 8 in flight and one at a time.
    3. N Set-SocialTierScore updates over 1,000 users, the same comparison.
    4. Import-Module cost: fresh pwsh -NoProfile processes with and without Import-Module
       GiftStudio, and with a first cmdlet call, interleaved (bare, import, first call, bare, ...)
       so that the machine's load weighs on each alike; medians, wall clock and the process's
       own CPU time.
    5. The sandbox alone: score updates/s at 1 and 8 clients on 100,000 users / 1,000,000
       events (including the lowest-ranked user), and analytics latency (7d, 30d, 365d), cold
       and warm; then Export-SocialCurrencyReport -Window 365d over that data, its API calls
       timed apart from the rest.
    6. Peak memory of a 100,000-row pipeline against a bare pwsh.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BenchTool,
    [string] $ReportPath = (Join-Path $PSScriptRoot 'REPORT.md'),
    [int] $Rows = 10000,
    [int] $Repetitions = 3,
    [int] $BigUsers = 100000,
    [int] $BigEvents = 1000000,
    [int] $MemoryRows = 100000,
    # Fresh processes of each kind in section 4.
    [int] $ImportRuns = 15,
    # Leaves out section 5 (seeding the big file takes minutes): with -Rows 2000
    # -Repetitions 1 -MemoryRows 5000 -ImportRuns 5 a run ends in about two minutes.
    [switch] $SkipBig
)

$ErrorActionPreference = 'Stop'
$manifest = Join-Path $ModulePath 'GiftStudio.psd1'
Import-Module $manifest
$pwshExe = Join-Path $PSHOME 'pwsh'
$work = [IO.Directory]::CreateTempSubdirectory('gs-bench-').FullName
$results = [System.Collections.Generic.List[object]]::new()

function Measure-Median([scriptblock] $Action, [int] $Times = $Repetitions) {
    $seconds = foreach ($i in 1..$Times) { (Measure-Command $Action).TotalSeconds }
    ($seconds | Sort-Object)[[int][math]::Floor(($seconds.Count - 1) / 2)]
}

# A pipeline of sections 1-3: first one untimed pass over a few rows (JIT, connections,
# runspaces), so that no variant pays for starting up and the first measured one is not penalised.
function Measure-Pipeline([scriptblock] $Action) {
    $full = $script:giftCsv, $script:scoreCsv
    $script:giftCsv, $script:scoreCsv = $warmGiftCsv, $warmScoreCsv
    try { & $Action } finally { $script:giftCsv, $script:scoreCsv = $full }
    Measure-Median $Action
}

function Add-Result([string] $Group, [string] $Name, [double] $Seconds, [int] $Count) {
    $row = [pscustomobject]@{ Group = $Group; Name = $Name; Seconds = [math]::Round($Seconds, 3); PerSecond = [math]::Round($Count / $Seconds, 0) }
    $results.Add($row)
    Write-Host ("{0,-10} {1,-60} {2,8:0.000} s {3,8:0}/s" -f $Group, $Name, $row.Seconds, $row.PerSecond)
    $row
}

function Get-PlainKey($Sandbox) { [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password }

# The machine's load (uptime's 1, 5 and 15 minute averages): the report states it at the start and the end.
function Get-LoadAverage { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ', ' }

function Get-Median([double[]] $Values) { ($Values | Sort-Object)[[int][math]::Floor(($Values.Count - 1) / 2)] }

# The raw generator's own figure: its seconds, without the dotnet process's start-up.
function Invoke-RawGenerator([string[]] $Arguments, [int] $Count) {
    $seconds = foreach ($i in 1..$Repetitions) {
        $line = & dotnet $BenchTool @Arguments
        if ($LASTEXITCODE -ne 0 -or "$line" -notmatch 'seconds=([0-9.]+).*failures=0\b') { throw "The raw generator failed: $line" }
        [double] $Matches[1]
    }
    Get-Median $seconds
}

$loadAtStart = Get-LoadAverage
$startedAt = Get-Date

try {
    # ---- 1 and 2: gifts ---------------------------------------------------------------------
    $giftCsv = Join-Path $work 'gifts.csv'
    1..$Rows | ForEach-Object { [pscustomobject]@{ Name = "Bench gift $_"; Tier = 'silver'; Reward = 1 + $_ % 500; Badge = 'false' } } |
        Export-Csv $giftCsv -NoTypeInformation
    $scoreCsv = Join-Path $work 'scores.csv'
    1..$Rows | ForEach-Object { [pscustomobject]@{ UserId = "bench.user$($_ % 1000)"; Value = 1 + $_ % 50 } } |
        Export-Csv $scoreCsv -NoTypeInformation
    $warmGiftCsv = Join-Path $work 'gifts-warm-up.csv'
    Import-Csv $giftCsv | Select-Object -First 50 | Export-Csv $warmGiftCsv -NoTypeInformation
    $warmScoreCsv = Join-Path $work 'scores-warm-up.csv'
    Import-Csv $scoreCsv | Select-Object -First 50 | Export-Csv $warmScoreCsv -NoTypeInformation

    $sandbox = Start-SocialSandbox -InMemory
    $connection = $sandbox | Connect-SocialOS -PassThru
    $key = Get-PlainKey $sandbox
    $api = $sandbox.BaseUri.AbsoluteUri
    $headers = @{ Authorization = "Bearer $key" }

    Write-Host "== 1. $Rows gifts from CSV"
    $gm = Add-Result 'gifts' 'Import-Csv | New-SocialGift (sequential, -ThrottleLimit 1)' (Measure-Pipeline { Import-Csv $giftCsv | New-SocialGift -Connection $connection -ThrottleLimit 1 | Out-Null }) $Rows
    $gi = Add-Result 'gifts' 'Import-Csv | ForEach-Object { Invoke-RestMethod } (ConvertTo-Json)' (Measure-Pipeline {
            Import-Csv $giftCsv | ForEach-Object {
                $body = @{ name = $_.Name; tier = $_.Tier; reward = [int] $_.Reward; badge = $_.Badge -eq 'true' } | ConvertTo-Json
                Invoke-RestMethod -Method Post "$api/gamification/gifts" -Headers $headers -ContentType 'application/json' -Body $body
            } | Out-Null }) $Rows
    $gm8 = Add-Result 'gifts' 'Import-Csv | New-SocialGift -ThrottleLimit 8' (Measure-Pipeline { Import-Csv $giftCsv | New-SocialGift -Connection $connection -ThrottleLimit 8 | Out-Null }) $Rows
    $gp8 = Add-Result 'gifts' 'Import-Csv | ForEach-Object -Parallel -ThrottleLimit 8 { Invoke-RestMethod }' (Measure-Pipeline {
            Import-Csv $giftCsv | ForEach-Object -ThrottleLimit 8 -Parallel {
                $body = @{ name = $_.Name; tier = $_.Tier; reward = [int] $_.Reward; badge = $_.Badge -eq 'true' } | ConvertTo-Json
                Invoke-RestMethod -Method Post "$using:api/gamification/gifts" -Headers $using:headers -ContentType 'application/json' -Body $body
            } | Out-Null }) $Rows
    Write-Host '== 2. raw HttpClient ceiling'
    $graw = Add-Result 'gifts' 'raw C# HttpClient, 8 in flight (ceiling)' (Invoke-RawGenerator @('gift', '--url', $api, '--key', $key, '--clients', '8', '--count', $Rows)) $Rows
    $graw1 = Add-Result 'gifts' 'raw C# HttpClient, 1 in flight (ceiling one at a time)' (Invoke-RawGenerator @('gift', '--url', $api, '--key', $key, '--clients', '1', '--count', $Rows)) $Rows

    Write-Host "== 3. $Rows score updates over 1,000 users"
    $sm = Add-Result 'scores' 'Import-Csv | Set-SocialTierScore (sequential)' (Measure-Pipeline { Import-Csv $scoreCsv | Set-SocialTierScore -Connection $connection -ThrottleLimit 1 | Out-Null }) $Rows
    $si = Add-Result 'scores' 'Import-Csv | ForEach-Object { Invoke-RestMethod }' (Measure-Pipeline {
            Import-Csv $scoreCsv | ForEach-Object {
                $body = @{ userId = $_.UserId; metric = 'tier'; action = 'gift_redeemed'; value = [int] $_.Value } | ConvertTo-Json
                Invoke-RestMethod -Method Post "$api/gamification/score" -Headers $headers -ContentType 'application/json' -Body $body
            } | Out-Null }) $Rows
    $sm8 = Add-Result 'scores' 'Import-Csv | Set-SocialTierScore -ThrottleLimit 8' (Measure-Pipeline { Import-Csv $scoreCsv | Set-SocialTierScore -Connection $connection -ThrottleLimit 8 | Out-Null }) $Rows
    $sp8 = Add-Result 'scores' 'ForEach-Object -Parallel -ThrottleLimit 8 { Invoke-RestMethod }' (Measure-Pipeline {
            Import-Csv $scoreCsv | ForEach-Object -ThrottleLimit 8 -Parallel {
                $body = @{ userId = $_.UserId; metric = 'tier'; action = 'gift_redeemed'; value = [int] $_.Value } | ConvertTo-Json
                Invoke-RestMethod -Method Post "$using:api/gamification/score" -Headers $using:headers -ContentType 'application/json' -Body $body
            } | Out-Null }) $Rows
    $sraw = Add-Result 'scores' 'raw C# HttpClient, 8 in flight (ceiling)' (Invoke-RawGenerator @('score', '--url', $api, '--key', $key, '--clients', '8', '--count', $Rows, '--users', '1000')) $Rows
    $sraw1 = Add-Result 'scores' 'raw C# HttpClient, 1 in flight (ceiling one at a time)' (Invoke-RawGenerator @('score', '--url', $api, '--key', $key, '--clients', '1', '--count', $Rows, '--users', '1000')) $Rows
    $sandbox | Stop-SocialSandbox

    # ---- 4: import cost -------------------------------------------------------------------
    Write-Host "== 4. Import-Module ($ImportRuns processes of each kind, interleaved)"
    $importSandbox = Start-SocialSandbox -InMemory
    $env:SOCIALOS_API_KEY = Get-PlainKey $importSandbox
    $env:SOCIALOS_BASE_URI = $importSandbox.BaseUri.AbsoluteUri
    # Each process ends by printing its own CPU time: that figure barely moves with the load
    # other processes put on the machine, the wall clock does.
    $cpuLine = '[int][Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalMilliseconds'
    $kinds = [ordered]@{
        bare      = $cpuLine
        import    = "Import-Module '$manifest'; $cpuLine"
        firstCall = "Import-Module '$manifest'; Get-SocialLeaderboard -Top 1 | Out-Null; $cpuLine"
    }
    $runs = @{}
    foreach ($kind in $kinds.Keys) { $runs[$kind] = [System.Collections.Generic.List[object]]::new() }
    foreach ($i in 1..$ImportRuns) {
        foreach ($kind in $kinds.Keys) {
            $script:cpuMs = $null
            $wall = (Measure-Command { $script:cpuMs = & $pwshExe -NoProfile -NonInteractive -Command $kinds[$kind] }).TotalSeconds
            if ($LASTEXITCODE -ne 0) { throw "The $kind process failed (exit code $LASTEXITCODE)." }
            $runs[$kind].Add([pscustomobject]@{ Wall = $wall; Cpu = [double] "$script:cpuMs" / 1000 })
        }
    }
    $env:SOCIALOS_API_KEY = $null; $env:SOCIALOS_BASE_URI = $null
    $importSandbox | Stop-SocialSandbox
    $bare = Get-Median $runs.bare.Wall
    $imported = Get-Median $runs.import.Wall
    $firstCall = Get-Median $runs.firstCall.Wall
    $bareCpu = Get-Median $runs.bare.Cpu
    $importedCpu = Get-Median $runs.import.Cpu
    $firstCallCpu = Get-Median $runs.firstCall.Cpu

    # ---- 6: memory ------------------------------------------------------------------------
    Write-Host "== 6. peak memory of a $MemoryRows-row pipeline"
    $memSandbox = Start-SocialSandbox -InMemory
    $env:SOCIALOS_API_KEY = Get-PlainKey $memSandbox
    $env:SOCIALOS_BASE_URI = $memSandbox.BaseUri.AbsoluteUri
    $peakScript = '[math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 1)'
    $bareMb = [double] (& $pwshExe -NoProfile -NonInteractive -Command "Import-Module '$manifest'; $peakScript")
    $memWatch = [Diagnostics.Stopwatch]::StartNew()
    $pipelineMb = [double] (& $pwshExe -NoProfile -NonInteractive -Command "Import-Module '$manifest'; 1..$MemoryRows | ForEach-Object { [pscustomobject]@{ UserId = 'mem.' + (`$_ % 5000); Value = 1 } } | Set-SocialTierScore -ThrottleLimit 8 | Out-Null; $peakScript")
    $memWatch.Stop()
    $env:SOCIALOS_API_KEY = $null; $env:SOCIALOS_BASE_URI = $null
    $memSandbox | Stop-SocialSandbox

    # Sections 5 and 5b keep their indentation: the guard is all -SkipBig adds.
    if (-not $SkipBig) {
    # ---- 5: the sandbox alone -------------------------------------------------------------
    Write-Host "== 5. sandbox: $BigUsers users, $BigEvents events"
    $bigData = Join-Path $work 'big.db'
    # Seeded by the sandbox on its own, then served by Start-SocialSandbox with the same key:
    # on a loaded machine the seed (~50 s idle, 144 s measured under load) outlasts the
    # launcher's 60 s start timeout.
    # The key goes in a file (kept out of the process list), deleted once the seeder has read it.
    $bigKey = 'sk_bench_' + [guid]::NewGuid().ToString('n')
    $bigKeyFile = Join-Path $work 'big.key'
    [IO.File]::WriteAllText($bigKeyFile, $bigKey)
    $seedInfo = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in (Join-Path $ModulePath 'sandbox/GiftStudio.Sandbox.dll'), '--urls', 'http://127.0.0.1:0', '--api-key-file', $bigKeyFile,
        '--data', $bigData, '--seed', "$BigUsers,365,$BigEvents", '--parent-pid', $PID) { $seedInfo.ArgumentList.Add([string] $argument) }
    $seedInfo.RedirectStandardOutput = $true
    $seedWatch = [Diagnostics.Stopwatch]::StartNew()
    $seeder = [Diagnostics.Process]::Start($seedInfo)
    # The seed is committed before the sandbox listens: its first line ends the wait.
    $firstLine = $seeder.StandardOutput.ReadLine()
    $seedWatch.Stop()
    Remove-Item $bigKeyFile
    $seeder.Kill(); $seeder.WaitForExit(); $seeder.Dispose()
    if ($firstLine -notlike 'Listening on*') { throw "Seeding $bigData failed: $firstLine" }
    $bigSecret = ConvertTo-SecureString $bigKey -AsPlainText -Force
    $big = Start-SocialSandbox -DataPath $bigData -ApiKey $bigSecret
    $bigApi = $big.BaseUri.AbsoluteUri
    $s1 = & dotnet $BenchTool score --url $bigApi --key $bigKey --clients 1 --count 3000 --users 1000
    $s8 = & dotnet $BenchTool score --url $bigApi --key $bigKey --clients 8 --count 20000 --users 1000
    # Scores of a single user at the very bottom: rank = 1 + everyone above.
    # 5,000 new users of 1 point each: every update is of the lowest-ranked user there is.
    $low = & dotnet $BenchTool score --url $bigApi --key $bigKey --clients 8 --count 5000 --users 5000 --value 1 --prefix 'lowest.user'
    $lowRank = (Invoke-RestMethod "$bigApi/gamification/score/lowest.user0" -Headers @{ Authorization = "Bearer $bigKey" }).rank
    $big | Stop-SocialSandbox -KeepData
    # Each window on a fresh server process: after one 1h request (which JIT-compiles the code
    # path but reads almost nothing), its first request meets an empty SQLite page cache
    # (cold; the OS file cache may still be warm), the rest a warm one.
    $analytics = foreach ($window in '7d', '30d', '365d') {
        $fresh = Start-SocialSandbox -DataPath $bigData -ApiKey $bigSecret
        $line = & dotnet $BenchTool get --url $fresh.BaseUri.AbsoluteUri --key (Get-PlainKey $fresh) --count 50 --warmup 'analytics?type=currency&metric=gifts_redeemed&window=1h' --path "analytics?type=currency&metric=gifts_redeemed&window=$window"
        $fresh | Stop-SocialSandbox -KeepData
        [pscustomobject]@{ Window = $window; Line = $line }
    }

    # ---- 5b: the HTML report of a 365-day window over the same data -----------------------
    Write-Host '== 5b. Export-SocialCurrencyReport -Window 365d'
    $fresh = Start-SocialSandbox -DataPath $bigData -ApiKey $bigSecret
    $reportConnection = $fresh | Connect-SocialOS -PassThru
    # The connection's client (internal), to time the API calls apart from the rest.
    $client = $reportConnection.GetType().GetProperty('Client', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($reportConnection)
    Export-SocialCurrencyReport -Connection $reportConnection -AsString -Window 365d | Out-Null   # JIT, page cache
    $reportTotal = Measure-Median { Export-SocialCurrencyReport -Connection $reportConnection -AsString -Window 365d -Top 10 | Out-Null } 7
    $reportCollect = Measure-Median {
        $script:collected = [GiftStudio.Reports.CurrencyReport]::CollectAsync($client, '365d', 10, 5, [datetime]::UtcNow, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    } 7
    $reportRender = Measure-Median { $script:reportHtml = [GiftStudio.Reports.CurrencyReportHtml]::Render($collected) } 7
    $newestFirst = [Collections.Generic.List[GiftStudio.SocialCurrencyAuditDay]]::new($collected.Metrics[0].Days)
    $newestFirst.Reverse()
    $reportAnnotate = Measure-Median { [GiftStudio.Reports.CurrencyAnomalies]::Annotate($newestFirst, $false, 5) } 7
    $reportKb = [math]::Round([Text.Encoding]::UTF8.GetByteCount($reportHtml) / 1KB)
    $fresh | Stop-SocialSandbox -KeepData
    }
}
finally {
    Get-Module GiftStudio | Remove-Module
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

function Get-Field([string] $Line, [string] $Name) { if ($Line -match "$Name=([0-9.]+)") { [double] $Matches[1] } }

$loadAtEnd = Get-LoadAverage
$ratio = { param($a, $b) [math]::Round($b.Seconds / $a.Seconds, 1) }
# What share of a ceiling (the raw HttpClient) a measured pipeline reached, in per cent.
$share = { param($measured, $ceiling) [math]::Round(100 * $ceiling.Seconds / $measured.Seconds) }
$memoryGiB = [math]::Round([double](((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '')) / 1MB, 0)
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '.*:\s*', ''
$bigSection = if ($SkipBig) { $null } else {
@"
## 5. The sandbox alone ($BigUsers users, $BigEvents events over 365 days; seeding took $([math]::Round($seedWatch.Elapsed.TotalSeconds)) s)

| | result |
|---|---|
| score updates, 1 client (raw HttpClient) | $(Get-Field $s1 'per_second')/s |
| score updates, 8 clients | $(Get-Field $s8 'per_second')/s (durable, synchronous=FULL; target >= 8,000) |
| updates of the lowest-ranked user (rank $lowRank of $($BigUsers + 1)), 8 clients | $(Get-Field $low 'per_second')/s |
$(($analytics | ForEach-Object { "| analytics $($_.Window): first request after start (cold) / median / p95 | $(Get-Field $_.Line 'first_ms') / $(Get-Field $_.Line 'median_ms') / $(Get-Field $_.Line 'p95_ms') ms (target <= 20 ms) |" }) -join "`n")

### The HTML report of 365 days over the same data (median of 7, warm)

| | ms |
|---|---:|
| ``Export-SocialCurrencyReport -AsString -Window 365d`` in all | $([math]::Round($reportTotal * 1000)) |
| reading and annotating (2 audits: no comparison beyond 182 days; leaderboard; gift pages) | $([math]::Round($reportCollect * 1000)) |
| annotating one metric's 365 days (anomalies, bars) | $([math]::Round($reportAnnotate * 1000, 1)) |
| writing the HTML ($reportKb KB) | $([math]::Round($reportRender * 1000, 1)) |
| **beyond the API calls** (2 annotations + HTML + cmdlet) | **$([math]::Round(($reportTotal - $reportCollect + 2 * $reportAnnotate) * 1000))** (target < 300 ms) |
"@
}
$report = @"
# GiftStudio benchmark

Run $($startedAt.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC by ``build.ps1 -Task Bench``: $([Environment]::ProcessorCount) cores ($cpu), $memoryGiB GiB,
PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), GiftStudio $((Import-PowerShellDataFile $manifest).ModuleVersion).
Load average (1, 5, 15 min) at the start of the run: $loadAtStart; at the end: $loadAtEnd.
$(if ([double] ($loadAtStart -split ',')[0] -lt 0.5 -and [double] ($loadAtEnd -split ',')[0] -lt 1.5) { 'The machine was idle apart from this run.' } else { "The machine was **not idle** ($([Environment]::ProcessorCount) cores): absolute figures are low, compare the ratios, which all come from this one run." })
Every figure is $(if ($Repetitions -eq 1) { 'from a single pass' } else { "the median of $Repetitions passes" }) unless noted, all in this one run. Rows per workload: $Rows.

## 1-3. Pipelines ($Rows rows, against ``Start-SocialSandbox -InMemory``)

The in-memory sandbox (a temporary file with synchronous=OFF) keeps the server's work per
request as small as it gets, so these figures show the client side's cost. The raw
generator's time is its own (``seconds=``), without the start of its dotnet process.

| workload | variant | seconds | per second |
|---|---|---:|---:|
$(($results | ForEach-Object { "| $($_.Group) | $($_.Name -replace '\|', '\|') | $($_.Seconds) | $($_.PerSecond) |" }) -join "`n")

| ratio (same run) | gifts | scores | target |
|---|---:|---:|---:|
| sequential cmdlet vs Invoke-RestMethod loop | $(& $ratio $gm $gi)x | $(& $ratio $sm $si)x | >= 3x |
| sequential cmdlet as a share of the raw HttpClient with 1 in flight | $(& $share $gm $graw1)% | $(& $share $sm $sraw1)% | |
| the raw HttpClient with 1 in flight vs Invoke-RestMethod loop (what any sequential client could reach) | $(& $ratio $graw1 $gi)x | $(& $ratio $sraw1 $si)x | |
| -ThrottleLimit 8 vs Invoke-RestMethod loop | $(& $ratio $gm8 $gi)x | $(& $ratio $sm8 $si)x | >= 10x |
| -ThrottleLimit 8 vs ForEach-Object -Parallel 8 | $(& $ratio $gm8 $gp8)x | $(& $ratio $sm8 $sp8)x | >= 30x |
| -ThrottleLimit 8 as a share of the raw HttpClient with 8 in flight | $(& $share $gm8 $graw)% | $(& $share $sm8 $sraw)% | >= 80% |

## 4. Import cost (medians of $ImportRuns fresh processes of each kind, interleaved)

| | wall seconds | CPU seconds |
|---|---:|---:|
| pwsh -NoProfile, nothing | $([math]::Round($bare, 3)) | $([math]::Round($bareCpu, 3)) |
| pwsh -NoProfile + Import-Module GiftStudio | $([math]::Round($imported, 3)) | $([math]::Round($importedCpu, 3)) |
| ... + first cmdlet call (Get-SocialLeaderboard against an in-memory sandbox) | $([math]::Round($firstCall, 3)) | $([math]::Round($firstCallCpu, 3)) |
| **Import-Module adds** | **$([math]::Round(($imported - $bare) * 1000)) ms** (target <= 100 ms) | $([math]::Round(($importedCpu - $bareCpu) * 1000)) ms |
| **the first call adds** | **$([math]::Round(($firstCall - $imported) * 1000)) ms** (target <= 300 ms) | $([math]::Round(($firstCallCpu - $importedCpu) * 1000)) ms |

$(if ($SkipBig) { "## 5. The sandbox alone`n`nLeft out of this run (-SkipBig).`n" } else { $bigSection })
## 6. Memory

| | peak working set |
|---|---:|
| pwsh + Import-Module GiftStudio, idle | $bareMb MB |
| the same, piping $MemoryRows rows through Set-SocialTierScore -ThrottleLimit 8 ($([math]::Round($memWatch.Elapsed.TotalSeconds)) s) | $pipelineMb MB |
| **difference** | **$([math]::Round($pipelineMb - $bareMb, 1)) MB** (target <= 100 MB) |

Targets missed, by how much, and why: see [ANALYSIS.md](ANALYSIS.md).
"@
# The header and sections 1-6 replace their earlier text; sections 7 and 8 stay as they are.
. (Join-Path $PSScriptRoot 'ReportSections.ps1')
Set-ReportSection -Path $ReportPath -Text $report
Write-Host "Report: $ReportPath"
