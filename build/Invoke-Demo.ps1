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
    & (Join-Path $RepositoryRoot 'examples/Invoke-GiftStudioAgent.ps1')
}
finally {
    $sandbox | Stop-SocialSandbox
}
