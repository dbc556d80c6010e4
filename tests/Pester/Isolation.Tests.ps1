# Dependency isolation on PowerShell 7: in a fresh pwsh that first loads Microsoft.Extensions.*
# 8.0 (as another module would), GiftStudio still works, its own 10.0 copies living in a
# private AssemblyLoadContext while its public types stay nameable. The negative control
# turns isolation off (GIFTSTUDIO_DISABLE_ISOLATION=1) and shows the same session failing.
BeforeAll {
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    $script:Script = @'
$ErrorActionPreference = 'Stop'
foreach ($name in 'primitives', 'dependencyinjection.abstractions', 'dependencyinjection', 'options', 'logging.abstractions', 'logging', 'http') {
    $dll = Get-ChildItem (Join-Path $env:GIFTSTUDIO_TEST_PACKAGES "microsoft.extensions.$name/8.0.0/lib/net8.0/*.dll")
    [Reflection.Assembly]::LoadFrom($dll.FullName) | Out-Null
}
Import-Module $env:GS_MANIFEST
# Directly: this child session has only the module under test, and its own Start-SocialSandbox is part of what must work.
$sandbox = Start-SocialSandbox
try {
    $sandbox | Connect-SocialOS
    $gift = New-SocialGift -Name 'Isolated' -Tier gold -Reward 5 -ErrorAction Stop
    "gift=$($gift.GiftId)"
    "typed=$($gift -is [GiftStudio.SocialGift])"
    "members=$((Get-Member -InputObject $gift -MemberType Property).Count)"
    foreach ($context in [System.Runtime.Loader.AssemblyLoadContext]::All) {
        foreach ($assembly in $context.Assemblies) {
            $n = $assembly.GetName()
            if ($n.Name -in 'Microsoft.Extensions.Http', 'GiftStudio.Http', 'GiftStudio.Core', 'GiftStudio.PowerShell') { "loaded=$($context.Name)|$($n.Name)|$($n.Version)" }
        }
    }
}
catch {
    "failed=$($_.Exception.GetBaseException().GetType().Name): $($_.Exception.GetBaseException().Message)"
    exit 3
}
finally {
    $sandbox | Stop-SocialSandbox
}
'@
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    function script:Invoke-IsolationRun([bool] $Isolated) {
        Invoke-ChildPwsh $Script @{ GS_MANIFEST = $Manifest; GIFTSTUDIO_DISABLE_ISOLATION = $(if ($Isolated) { '' } else { '1' }) }
    }
}

Describe 'Dependency isolation' {
    BeforeAll {
        # build.ps1 -Task Test restores them; without them the test cannot say anything.
        Join-Path "$env:GIFTSTUDIO_TEST_PACKAGES" 'microsoft.extensions.http/8.0.0' | Should -Exist
    }

    It 'works beside Microsoft.Extensions 8.0 already loaded by another module' {
        $run = Invoke-IsolationRun -Isolated $true
        $run.ExitCode | Should -Be 0 -Because ($run.Lines + $run.Error -join "`n")
        $run.Lines | Should -Contain 'typed=True'
        ($run.Lines | Where-Object { $_ -like 'gift=gift_*' }) | Should -Not -BeNullOrEmpty
        [int](($run.Lines | Where-Object { $_ -like 'members=*' }) -replace 'members=') | Should -Be 9
        $run.Lines | Should -Contain 'loaded=Default|Microsoft.Extensions.Http|8.0.0.0'
        $run.Lines | Should -Contain 'loaded=GiftStudio|Microsoft.Extensions.Http|10.0.0.0'
        $run.Lines | Should -Contain 'loaded=GiftStudio|GiftStudio.Http|0.1.0.0'
        $run.Lines | Should -Contain 'loaded=Default|GiftStudio.Core|0.1.0.0'
        $run.Lines | Should -Contain 'loaded=Default|GiftStudio.PowerShell|0.1.0.0'
    }

    It 'fails the same way without isolation (negative control)' {
        $run = Invoke-IsolationRun -Isolated $false
        $run.ExitCode | Should -Be 3 -Because ($run.Lines + $run.Error -join "`n")
        ($run.Lines | Where-Object { $_ -like 'failed=FileLoadException*' }) | Should -Not -BeNullOrEmpty
    }
}
