<#
.SYNOPSIS
    The sandbox's write-ahead log under a long write load: the largest size the -wal file
    reached while 8 clients sent 20,000 score updates to a durable data file, and its size
    right after the load (the server still running).
.EXAMPLE
    dotnet build src/GiftStudio.Sandbox -c Release; dotnet build bench/GiftStudio.Bench -c Release
    dotnet pwsh bench/Measure-WalSize.ps1
#>
param(
    [string] $SandboxDll = (Join-Path $PSScriptRoot '../src/GiftStudio.Sandbox/bin/Release/net10.0/GiftStudio.Sandbox.dll'),
    [string] $BenchDll = (Join-Path $PSScriptRoot 'GiftStudio.Bench/bin/Release/net10.0/GiftStudio.Bench.dll'),
    [int] $Clients = 8,
    [int] $Count = 20000
)

$ErrorActionPreference = 'Stop'
$work = [IO.Directory]::CreateTempSubdirectory('gs-wal-').FullName
$data = Join-Path $work 'wal.db'
$portFile = Join-Path $work 'port'
$server = Start-Process dotnet -ArgumentList $SandboxDll, '--urls', 'http://127.0.0.1:0', '--api-key', 'bench-key', '--data', $data, '--port-file', $portFile -PassThru -RedirectStandardOutput (Join-Path $work 'out.log') -RedirectStandardError (Join-Path $work 'err.log')
try {
    while (-not (Test-Path $portFile)) { if ($server.HasExited) { throw "the sandbox exited: $(Get-Content (Join-Path $work 'err.log'))" }; Start-Sleep -Milliseconds 100 }
    $port = (Get-Content $portFile).Trim()
    $load = Start-Process dotnet -ArgumentList $BenchDll, 'score', '--url', "http://127.0.0.1:$port/v2", '--key', 'bench-key', '--clients', $Clients, '--count', $Count -PassThru -NoNewWindow -RedirectStandardOutput (Join-Path $work 'bench.log')
    $largest = 0
    while (-not $load.HasExited) {
        $size = (Get-Item "$data-wal" -ErrorAction SilentlyContinue).Length
        if ($size -gt $largest) { $largest = $size }
        Start-Sleep -Milliseconds 50
    }
    $after = (Get-Item "$data-wal" -ErrorAction SilentlyContinue).Length
    [pscustomobject]@{
        Load           = (Get-Content (Join-Path $work 'bench.log')) -join ' '
        LargestWalMiB  = [math]::Round($largest / 1MB, 2)
        WalAfterMiB    = [math]::Round($after / 1MB, 2)
        PageSize       = 4096
        LargestInPages = [math]::Ceiling($largest / 4096)
    } | Format-List
}
finally {
    if (-not $server.HasExited) { $server.Kill() ; $server.WaitForExit() }
    if ($env:WAL_DEBUG) { Get-Content (Join-Path $work "err.log") | Select-Object -Last 40 }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
