<#
.SYNOPSIS
    What Import-Module GiftStudio costs, piece by piece: methods JIT-compiled, the import's own
    time and the process's CPU, in fresh processes interleaved, for the staged module and for
    copies without TypesToProcess / FormatsToProcess: the table of bench/ANALYSIS.md, section 4.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-ImportCost.ps1 -ModulePath out/GiftStudio -N 7 [-OptOut]
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $N = 7, [switch] $OptOut)
$ErrorActionPreference = 'Stop'
if ($OptOut) { $env:POWERSHELL_TELEMETRY_OPTOUT = '1' }
$work = [IO.Directory]::CreateTempSubdirectory('gs-import-').FullName
try {
    # Copies of the module, each with a line of the manifest left out.
    $variants = [ordered]@{ shipped = @(); noTypes = @('TypesToProcess'); noFormats = @('FormatsToProcess'); neither = @('TypesToProcess', 'FormatsToProcess') }
    foreach ($name in $variants.Keys) {
        $copy = New-Item -ItemType Directory (Join-Path $work $name)
        Get-ChildItem $ModulePath -Exclude 'sandbox' | Copy-Item -Destination $copy -Recurse
        $manifest = Join-Path $copy 'GiftStudio.psd1'
        $lines = Get-Content $manifest | Where-Object { $line = $_; -not ($variants[$name] | Where-Object { $line -match "^\s*$_\s*=" }) }
        Set-Content $manifest $lines
    }
    $pwshExe = Join-Path $PSHOME 'pwsh'
    $probe = '$j0=[Runtime.JitInfo]::GetCompiledMethodCount(); $c0=[Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalMilliseconds; $w=[Diagnostics.Stopwatch]::StartNew(); STEP; $ms=$w.Elapsed.TotalMilliseconds; $c1=[Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalMilliseconds; "{0} {1} {2}" -f ([Runtime.JitInfo]::GetCompiledMethodCount()-$j0), $ms, ($c1-$c0)'
    $steps = [ordered]@{ nothing = '$null = 1' }
    foreach ($name in $variants.Keys) { $steps[$name] = "Import-Module '$(Join-Path $work $name 'GiftStudio.psd1')'" }
    $results = @{}
    foreach ($k in $steps.Keys) { $results[$k] = [Collections.Generic.List[double[]]]::new() }
    "load average at the start: $(Get-Content /proc/loadavg)"
    for ($i = 0; $i -lt $N; $i++) {
        foreach ($k in $steps.Keys) {
            $out = & $pwshExe -NoProfile -NonInteractive -Command ($probe -replace 'STEP', $steps[$k])
            $results[$k].Add([double[]](("$out" -split ' ') | ForEach-Object { [double] $_ }))
        }
    }
    "load average at the end: $(Get-Content /proc/loadavg)"
    function Get-Median($Values) { $sorted = @($Values | Sort-Object); $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }
    foreach ($k in $steps.Keys) {
        $r = $results[$k]
        "{0,-10} jitted={1,5:0} import_ms={2,6:0.0} cpu_ms={3,6:0}" -f $k, (Get-Median ($r | ForEach-Object { $_[0] })), (Get-Median ($r | ForEach-Object { $_[1] })), (Get-Median ($r | ForEach-Object { $_[2] }))
    }
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
