<#
.SYNOPSIS
    build.ps1 -Task Demo runs this in a fresh pwsh: the staged module, a seeded sandbox, the agent.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $RepositoryRoot
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'GiftStudio.psd1')
$sandbox = Start-SocialSandbox -Seed 200,30
try {
    Write-Host "Sandbox $($sandbox.ProcessId) at $($sandbox.BaseUri) (seeded: 200 users, 30 days of history)"
    $sandbox | Connect-SocialOS
    # The report goes next to the staged module (out/), outside the source tree.
    $report = Join-Path (Split-Path $ModulePath) 'demo/currency-report.html'
    New-Item -ItemType Directory -Force (Split-Path $report) | Out-Null
    & (Join-Path $RepositoryRoot 'examples/Invoke-GiftStudioAgent.ps1') -ReportPath $report
}
finally {
    $sandbox | Stop-SocialSandbox
}
