<#
.SYNOPSIS
    The sandbox against what Kestrel itself allows on this machine: score updates/s under wrk,
    and the start to the first 200 on /health, side by side in one run.
.DESCRIPTION
    build.ps1 -Task Bench -Server runs it (after Build). Three servers, each on a free loopback
    port, started by this script and stopped by it:
      floor   bench/GiftStudio.Floor: CreateSlimBuilder, no logging, one POST route that parses
              the score body and answers an object of the same shape;
      memory  the sandbox with --storage memory;
      file    the sandbox with a data file (durable: synchronous=FULL) in a private temp folder.
    1. Throughput: wrk (1 thread) posts tier-score updates (bench/server/score.lua: distinct
       users, an Idempotency-Key on every other request). For each connection count, each
       server in turn: a warm-up, then the measured seconds. The three servers run side by side
       for the whole section, so that each point of a row meets the same load on the machine.
    2. Start-up: rounds of (floor, memory, file), each a new process (the file sandbox a new data
       file), timed from the process's start to the first 200 on /health, asked once the server
       printed its "Listening on" line (bench/ServerStart.ps1).
    The section "## 8." of REPORT.md is written (replaced when there); other sections are kept.
    wrk is Debian's package wrk (apt-get install -y wrk).
#>
param(
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string] $FloorPath,
    [string] $ReportPath = (Join-Path $PSScriptRoot 'REPORT.md'),
    [int[]] $Connections = @(1, 8, 32),
    [int] $Seconds = 6,
    [int] $WarmUpSeconds = 2,
    # Rounds of the whole throughput section; each cell is the median of its rounds.
    [int] $Rounds = 1,
    [int] $StartRuns = 9,
    [int] $Users = 10000,
    # How this run was started, for the report.
    [string] $Command = 'dotnet pwsh ./build.ps1 -Task Bench -Server'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$wrk = Get-Command wrk -CommandType Application -ErrorAction Ignore | Select-Object -First 1
if (-not $wrk) {
    throw 'wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk (other systems: https://github.com/wg/wrk, or the package manager''s wrk).'
}
foreach ($path in $SandboxPath, $FloorPath) { if (-not (Test-Path -LiteralPath $path)) { throw "Not found: $path (build.ps1 -Task Build builds it)." } }
$lua = Join-Path $PSScriptRoot 'server/score.lua'
$work = [IO.Directory]::CreateTempSubdirectory('gs-server-bench-').FullName
$key = 'sk_bench_' + [guid]::NewGuid().ToString('n')
$keyFile = Join-Path $work 'bench.key'
[IO.File]::WriteAllText($keyFile, $key)
$http = [Net.Http.HttpClient]::new([Net.Http.SocketsHttpHandler]@{ UseProxy = $false; ConnectTimeout = [TimeSpan]::FromSeconds(2) })
$http.Timeout = [TimeSpan]::FromSeconds(5)
$servers = [Collections.Generic.List[Diagnostics.Process]]::new()

function Get-LoadAverage { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ', ' }

function Get-Median([double[]] $Values) { ($Values | Sort-Object)[[int][math]::Floor(($Values.Count - 1) / 2)] }

. (Join-Path $PSScriptRoot 'ServerStart.ps1')

# Starts one server on a free port (bench/ServerStart.ps1 drains its output).
function Start-Server([string] $Kind, [int] $Port) {
    $url = "http://127.0.0.1:$Port"
    $arguments = switch ($Kind) {
        'floor' { $FloorPath, '--urls', $url }
        'memory' { $SandboxPath, '--urls', $url, '--api-key-file', $keyFile, '--parent-pid', $PID, '--storage', 'memory' }
        'file' { $SandboxPath, '--urls', $url, '--api-key-file', $keyFile, '--parent-pid', $PID, '--data', (Join-Path $work "data-$([guid]::NewGuid().ToString('n')).db") }
    }
    $process = Start-BenchServer ([string[]] $arguments)
    $servers.Add($process)
    $process
}

function Stop-Server([Diagnostics.Process] $Process) {
    $servers.Remove($Process) | Out-Null
    Stop-BenchServer $Process
}

# One wrk point: requests per second and mean latency; any non-2xx answer or socket error fails the run.
function Invoke-Wrk([int] $Port, [int] $ConnectionCount, [int] $Duration, [string] $Run) {
    $env:GS_KEY = $key
    $env:GS_RUN = $Run
    $env:GS_USERS = "$Users"
    try {
        $output = & $wrk.Source -t1 "-c$ConnectionCount" "-d${Duration}s" --timeout 10s -s $lua "http://127.0.0.1:$Port" 2>&1 | Out-String
    }
    finally {
        $env:GS_KEY = $null; $env:GS_RUN = $null; $env:GS_USERS = $null
    }
    if ($LASTEXITCODE -ne 0 -or $output -notmatch 'Requests/sec:\s+([0-9.]+)') { throw "wrk failed on port ${Port}:`n$output" }
    $perSecond = [double] $Matches[1]
    if ($output -match 'Non-2xx or 3xx responses: (\d+)') { throw "wrk got $($Matches[1]) answers that were not 2xx on port ${Port}:`n$output" }
    if ($output -match 'Socket errors: (.*)') { throw "wrk saw socket errors on port ${Port} ($($Matches[1])):`n$output" }
    $latency = if ($output -match 'Latency\s+([0-9.]+)(us|ms|s)\b') {
        [double] $Matches[1] * @{ us = 0.001; ms = 1; s = 1000 }[$Matches[2]]
    }
    [pscustomobject]@{ PerSecond = $perSecond; LatencyMs = $latency }
}

$kinds = 'floor', 'memory', 'file'
$startedAt = Get-Date
$loadAtStart = Get-LoadAverage
$dataFileSystem = (& df --output=fstype $work | Select-Object -Last 1).Trim()
$points = [Collections.Generic.List[object]]::new()
$startTimes = @{ floor = [Collections.Generic.List[double]]::new(); memory = [Collections.Generic.List[double]]::new(); file = [Collections.Generic.List[double]]::new() }
try {
    # ---- 1. throughput --------------------------------------------------------------------
    Write-Host "== 1. score updates/s under wrk (1 thread; $WarmUpSeconds s warm-up, $Seconds s measured; connections $($Connections -join ', '); $Rounds round(s))"
    $running = [ordered]@{}
    foreach ($kind in $kinds) {
        $port = Get-FreePort
        $process = Start-Server $kind $port
        Wait-BenchServerHealthy $process $port ([Diagnostics.Stopwatch]::StartNew()) $http | Out-Null
        $running[$kind] = [pscustomobject]@{ Process = $process; Port = $port }
    }
    foreach ($round in 1..$Rounds) {
        foreach ($connectionCount in $Connections) {
            foreach ($kind in $kinds) {
                $server = $running[$kind]
                $run = "r$round.c$connectionCount.$([guid]::NewGuid().ToString('n').Substring(0, 8))"
                Invoke-Wrk $server.Port $connectionCount $WarmUpSeconds "$run.w" | Out-Null
                $point = Invoke-Wrk $server.Port $connectionCount $Seconds $run
                $load = ((Get-Content /proc/loadavg) -split ' ')[0]
                $points.Add([pscustomobject]@{ Round = $round; Connections = $connectionCount; Kind = $kind; PerSecond = $point.PerSecond; LatencyMs = $point.LatencyMs; Load = $load })
                Write-Host ("round {0} c={1,-3} {2,-7} {3,9:0}/s  mean latency {4:0.000} ms  load {5}" -f $round, $connectionCount, $kind, $point.PerSecond, $point.LatencyMs, $load)
            }
        }
    }
    foreach ($server in $running.Values) { Stop-Server $server.Process }

    # ---- 2. start-up ----------------------------------------------------------------------
    Write-Host "== 2. start to the first 200 on /health ($StartRuns rounds of $($kinds -join ', '), interleaved)"
    foreach ($i in 1..$StartRuns) {
        foreach ($kind in $kinds) {
            $port = Get-FreePort
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $process = Start-Server $kind $port
            $elapsed = Wait-BenchServerHealthy $process $port $watch $http
            Stop-Server $process
            $startTimes[$kind].Add($elapsed)
            Write-Host ("start {0} {1,-7} {2,6:0} ms" -f $i, $kind, ($elapsed * 1000))
        }
    }
}
finally {
    foreach ($process in @($servers)) { if (-not $process.HasExited) { $process.Kill($true) } }
    $http.Dispose()
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
$loadAtEnd = Get-LoadAverage

function Get-Cell([int] $ConnectionCount, [string] $Kind) {
    Get-Median @($points | Where-Object { $_.Connections -eq $ConnectionCount -and $_.Kind -eq $Kind } | ForEach-Object PerSecond)
}
function Format-Rate([double] $Value) { $Value.ToString('#,0', [Globalization.CultureInfo]::InvariantCulture) }
function Format-Share([double] $Part, [double] $Whole) { '{0:0} %' -f (100 * $Part / $Whole) }

$rows = foreach ($connectionCount in $Connections) {
    $floor = Get-Cell $connectionCount 'floor'
    $memory = Get-Cell $connectionCount 'memory'
    $file = Get-Cell $connectionCount 'file'
    $loads = ($points | Where-Object Connections -EQ $connectionCount | ForEach-Object Load) -join ', '
    "| $connectionCount | $(Format-Rate $floor)/s | $(Format-Rate $memory)/s ($(Format-Share $memory $floor)) | $(Format-Rate $file)/s ($(Format-Share $file $memory) of memory) | $loads |"
}
$latencyRows = foreach ($connectionCount in $Connections) {
    $cells = foreach ($kind in $kinds) {
        '{0:0.000}' -f (Get-Median @($points | Where-Object { $_.Connections -eq $connectionCount -and $_.Kind -eq $kind } | ForEach-Object LatencyMs))
    }
    "| $connectionCount | $($cells -join ' | ') |"
}
$startMs = @{}
foreach ($kind in $kinds) { $startMs[$kind] = [math]::Round((Get-Median $startTimes[$kind]) * 1000) }
$memoryGiB = [math]::Round([double](((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '')) / 1MB, 0)
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '.*:\s*', ''
$wrkVersion = (((& $wrk.Source -v 2>&1 | Out-String) -split "`n")[0] -replace '\s*Copyright.*', '').Trim()

$section = @"
## 8. The sandbox against the floor (wrk; start-up)

Run $($startedAt.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC by ``$Command``: $([Environment]::ProcessorCount) cores ($cpu), $memoryGiB GiB,
.NET $([Environment]::Version), $wrkVersion. Load average (1, 5, 15 min) at the start: $loadAtStart; at the end: $loadAtEnd.
The three servers ran side by side on loopback; ratios come from this one run. The floor is
``bench/GiftStudio.Floor`` (CreateSlimBuilder, no logging, the score route parsing the body and
answering an object of the same shape). ``wrk -t1 -cN -d${Seconds}s -s bench/server/score.lua`` after a
$WarmUpSeconds s warm-up per point: POST /v2/gamification/score over $Users users, an Idempotency-Key
on every other request. The durable sandbox's data file was on $dataFileSystem (synchronous=FULL).
$(if ($Rounds -gt 1) { "Each figure is the median of $Rounds rounds." } else { 'One round.' })

| connections | floor (minimal app) | sandbox ``--storage memory`` (of the floor) | sandbox durable, file | 1-min load at each point |
|---:|---:|---:|---:|---|
$($rows -join "`n")

Mean latency per request (ms, wrk):

| connections | floor | memory | file |
|---:|---:|---:|---:|
$($latencyRows -join "`n")

Start to the first 200 on ``/health`` (median of $StartRuns, interleaved floor, memory, file; a new
data file each time): floor $($startMs.floor) ms, sandbox in memory $($startMs.memory) ms
($('{0:+0;-0}' -f ($startMs.memory - $startMs.floor)) ms), sandbox with a file $($startMs.file) ms ($('{0:+0;-0}' -f ($startMs.file - $startMs.floor)) ms).

Targets (issue #26): memory ≥ 60 % of the floor at 1 connection and ≥ 70 % at 8; durable ≥ 60 % of
memory at 8 and ≥ 85 % at 32; start ≤ the floor's + 50 ms. Where they stand and why: [ANALYSIS.md](ANALYSIS.md).
"@

# Section 8 replaces its earlier text; the report's other sections stay as they are.
. (Join-Path $PSScriptRoot 'ReportSections.ps1')
Set-ReportSection -Path $ReportPath -Text $section
Write-Host $section
Write-Host "Report: $ReportPath"
