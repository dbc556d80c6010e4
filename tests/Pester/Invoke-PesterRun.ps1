<#
.SYNOPSIS
    Runs the Pester suite in this (child) pwsh and writes a summary for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestPath,
    # Part of a file's name (those files run), else part of a test's full name.
    [string] $Filter,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
# The tests import the staged module from here, never from the source tree.
$env:GIFTSTUDIO_TEST_MODULE = $ModulePath
# Restored test tools (e.g. the older Microsoft.Extensions.* for the isolation test).
$env:GIFTSTUDIO_TEST_PACKAGES = Split-Path (Split-Path (Split-Path (Split-Path $PesterManifest)))

# The tests run with PowerShell's default error preference, as users' sessions do.
$ErrorActionPreference = 'Continue'
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
if ($Filter) {
    $files = @(Get-ChildItem $TestPath -Filter '*.Tests.ps1' | Where-Object { $_.Name -like "*$Filter*" })
    if ($files) { $configuration.Run.Path = $files.FullName }
    else { $configuration.Filter.FullName = "*$Filter*" }
}
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = $ResultPath
$configuration.TestResult.OutputFormat = 'NUnitXml'
$result = Invoke-Pester -Configuration $configuration

# Container failures (a BeforeAll that throws) fail every test inside; count them too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount

# Each failure and skip by name, with its file, so build.ps1 can list them above its closing line.
function ConvertTo-Entry($Name, $File, $Reason) {
    [pscustomobject]@{ Name = $Name; File = $(if ($File) { [IO.Path]::GetRelativePath((Resolve-Path "$TestPath/../.."), $File) }); Reason = $Reason }
}
$failures = @(
    foreach ($test in $result.Failed) { ConvertTo-Entry $test.ExpandedPath $test.ScriptBlock.File ($test.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) }
    foreach ($block in $result.FailedBlocks) { ConvertTo-Entry "$($block.ExpandedPath) (a setup block failed)" $block.ScriptBlock.File ($block.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) }
    foreach ($container in $result.FailedContainers) { ConvertTo-Entry '(the file failed to run)' "$($container.Item)" ($container.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) }
)
$skips = @(foreach ($test in $result.Skipped) { ConvertTo-Entry $test.ExpandedPath $test.ScriptBlock.File ($test.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) })
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount
    Failures = $failures
    Skips   = $skips
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $SummaryPath
exit ([int]($failed -gt 0))
