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

# build.ps1's Add-ReadyToRunCode: the staged sandbox starts from precompiled code on the building
# machine's platform, and its folder still runs everywhere (bench/ANALYSIS.md, issue #26).
Describe 'The staged sandbox folder' {
    BeforeAll {
        $script:SandboxFolder = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'sandbox'
        function Get-PeKind([string] $Path) {
            $stream = [IO.File]::OpenRead($Path)
            try {
                $pe = [Reflection.PortableExecutable.PEReader]::new($stream)
                $header = $pe.PEHeaders.CorHeader
                [pscustomobject]@{
                    HasIL       = $pe.HasMetadata
                    ReadyToRun  = $null -ne $header -and $header.ManagedNativeHeaderDirectory.Size -gt 0
                }
            }
            finally { $stream.Dispose() }
        }
    }

    It 'holds <Name> precompiled (ReadyToRun) for this platform, its IL kept' -ForEach @(
        @{ Name = 'GiftStudio.Sandbox.dll' }
        @{ Name = 'Microsoft.Data.Sqlite.dll' }
        @{ Name = 'SQLitePCLRaw.core.dll' }
    ) {
        $kind = Get-PeKind (Join-Path $SandboxFolder $Name)
        $kind.ReadyToRun | Should -BeTrue -Because 'build.ps1 overlays the ReadyToRun publish of this platform'
        $kind.HasIL | Should -BeTrue -Because 'another platform JIT-compiles the IL'
    }

    It 'keeps the native SQLite of every platform (a portable folder, not one platform''s publish)' {
        foreach ($platform in 'linux-x64', 'linux-arm64', 'osx-arm64', 'win-x64') {
            Join-Path $SandboxFolder "runtimes/$platform/native" | Should -Exist
        }
        Join-Path $SandboxFolder 'libe_sqlite3.so' | Should -Not -Exist -Because 'a RID-specific publish flattens runtimes/ to one platform'
    }
}
