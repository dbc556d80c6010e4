# The packaging round trip: publish the staged module to a local file repository with
# PSResourceGet, install it into a temporary module path, import it by name in a fresh pwsh
# and run cmdlets against a sandbox started from the installed copy.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-pkg-').FullName
    $script:Repository = New-Item -ItemType Directory (Join-Path $Work 'repository')
    $script:Installed = New-Item -ItemType Directory (Join-Path $Work 'modules')
    $script:RepositoryName = 'GiftStudioTest' + [guid]::NewGuid().ToString('n').Substring(0, 8)
    $stage = New-Item -ItemType Directory (Join-Path $Work 'stage/GiftStudio')
    Copy-Item -Recurse (Join-Path $env:GIFTSTUDIO_TEST_MODULE '*') $stage
    Register-PSResourceRepository -Name $RepositoryName -Uri $Repository.FullName -Trusted
    Publish-PSResource -Path $stage.FullName -Repository $RepositoryName
    $script:Version = (Import-PowerShellDataFile (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')).ModuleVersion
}

AfterAll {
    Unregister-PSResourceRepository -Name $RepositoryName -ErrorAction Ignore
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Install from a package' {
    It 'publishes a versioned .nupkg' {
        Join-Path $Repository "GiftStudio.$Version.nupkg" | Should -Exist
    }

    It 'installs, imports by name in a fresh pwsh, and runs against a sandbox' {
        Save-PSResource -Name GiftStudio -Repository $RepositoryName -Path $Installed.FullName -TrustRepository
        Join-Path $Installed "GiftStudio/$Version/GiftStudio.psd1" | Should -Exist
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module GiftStudio
"base=$((Get-Module GiftStudio).ModuleBase)"
# Directly: the installed copy's own Start-SocialSandbox is part of what is tested.
$sandbox = Start-SocialSandbox
try {
    $sandbox | Connect-SocialOS
    $gift = New-SocialGift -Name 'From the package' -Tier silver -Reward 250
    $score = $gift | Set-SocialTierScore -UserId 'pkg.user'
    "score=$($score.Current) $($score.TierName)"
}
finally { $sandbox | Stop-SocialSandbox }
'@
        $run = Invoke-ChildPwsh $script @{ PSModulePath = $Installed.FullName + [IO.Path]::PathSeparator + $env:PSModulePath }
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $lines = $run.Lines
        $lines | Should -Contain "base=$(Join-Path $Installed "GiftStudio/$Version")"
        $lines | Should -Contain 'score=250 silver'
    }
}
