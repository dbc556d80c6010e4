# What the module lets go of: its assembly-resolution hook at Remove-Module (and one hook,
# never a second, when it is imported again), and a connection's HTTP clients when it stops
# being the current one, while a variable that holds it can still call with -Connection.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    # In a fresh pwsh: the hooks of GiftStudio's assemblies after each step. On PowerShell 7
    # the hook is a handler of AssemblyLoadContext.Default.Resolving (DependencyIsolation);
    # with isolation off it is an AppDomain.AssemblyResolve handler (the Windows PowerShell
    # 5.1 path). Neither event lists its handlers, so their backing fields are read.
    $script:Script = @'
$ErrorActionPreference = 'Stop'
$alc = [System.Runtime.Loader.AssemblyLoadContext]
function Get-Hooks {
    $resolving = $alc.GetField('_resolving', 'NonPublic,Instance').GetValue($alc::Default)
    $appDomain = $alc.GetField('AssemblyResolve', 'NonPublic,Static').GetValue($null)
    @(@($resolving, $appDomain) | Where-Object { $_ } | ForEach-Object { $_.GetInvocationList() } |
        Where-Object { $_.Method.DeclaringType.Assembly.GetName().Name -like 'GiftStudio.*' }).Count
}
function Get-Contexts { @($alc::All | Where-Object Name -eq 'GiftStudio').Count }
"start=$(Get-Hooks)"
Import-Module $env:GS_MANIFEST
"imported=$(Get-Hooks)|$(Get-Contexts)"
Remove-Module GiftStudio
"removed=$(Get-Hooks)|$(Get-Contexts)"
Import-Module $env:GS_MANIFEST
"again=$(Get-Hooks)|$(Get-Contexts)"
Import-Module $env:GS_MANIFEST -Force
"forced=$(Get-Hooks)|$(Get-Contexts)"
$sandbox = Start-SocialSandbox -InMemory
try {
    $gift = New-SocialGift -Connection ($sandbox | Connect-SocialOS -ReturnConnection) -Name 'After re-import' -Tier gold -Reward 5
    "gift=$($gift.GiftId)"
}
finally {
    $sandbox | Stop-SocialSandbox
}
Remove-Module GiftStudio
"end=$(Get-Hooks)|$(Get-Contexts)"
'@
}

Describe 'Remove-Module unhooks what Import-Module hooked' {
    It 'keeps one hook across Import-Module, Remove-Module, Import-Module (<Name>)' -ForEach @(
        @{ Name = 'private load context'; Disable = ''; Contexts = 1 }
        @{ Name = 'AssemblyResolve, the Windows PowerShell path'; Disable = '1'; Contexts = 0 }
    ) {
        $run = Invoke-ChildPwsh $Script @{ GS_MANIFEST = $Manifest; GIFTSTUDIO_DISABLE_ISOLATION = $Disable }
        $run.ExitCode | Should -Be 0 -Because ($run.Lines + $run.Error -join "`n")
        $run.Lines | Should -Contain 'start=0'
        $run.Lines | Should -Contain "imported=1|$Contexts"
        # Unhooked; the private context stays (not collectible), and is not made again.
        $run.Lines | Should -Contain "removed=0|$Contexts"
        $run.Lines | Should -Contain "again=1|$Contexts"
        $run.Lines | Should -Contain "forced=1|$Contexts"
        ($run.Lines | Where-Object { $_ -like 'gift=gift_*' }) | Should -Not -BeNullOrEmpty
        $run.Lines | Should -Contain "end=0|$Contexts"
    }
}

Describe 'A connection that stops being the current one' {
    BeforeAll {
        Import-Module $Manifest -Force
        $script:Box = Start-TestSandbox
        $script:Key = ConvertTo-SecureString $Box.Key -AsPlainText -Force
        function script:Test-OpenClients($Connection) {
            $Connection.GetType().GetProperty('HasOpenClients', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($Connection)
        }
    }

    AfterAll {
        Disconnect-SocialOS
        if ($script:Box) { Stop-TestSandbox $script:Box }
    }

    It 'disposes its clients when Connect-SocialOS replaces it; a variable holding it still calls' {
        $first = Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key -PassThru
        Test-OpenClients $first | Should -BeFalse
        $null = Get-SocialGift -First 1 -ErrorAction Stop
        Test-OpenClients $first | Should -BeTrue

        $second = Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key -PassThru
        Test-OpenClients $first | Should -BeFalse
        (New-SocialGift -Connection $first -Name 'Kept' -Tier gold -Reward 1 -ErrorAction Stop).GiftId | Should -Match '^gift_'
        Test-OpenClients $first | Should -BeTrue
        Test-OpenClients $second | Should -BeFalse
    }

    It 'disposes its clients at Disconnect-SocialOS; a variable holding it still calls' {
        $current = Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key -PassThru
        $null = Get-SocialGift -First 1 -ErrorAction Stop
        Test-OpenClients $current | Should -BeTrue
        Disconnect-SocialOS
        Test-OpenClients $current | Should -BeFalse
        $null = Get-SocialGift -Connection $current -First 1 -ErrorAction Stop
        Test-OpenClients $current | Should -BeTrue
    }

    It 'lets the calls under way finish when it is replaced in the middle of a pipeline' {
        Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key
        $rows = 1..40 | ForEach-Object { [pscustomobject]@{ Name = "Midway $_"; Tier = 'silver'; Reward = $_ } }
        $seen = 0
        $made = @($rows | New-SocialGift -ThrottleLimit 8 -ErrorAction Stop | ForEach-Object {
                # The first result arrives while later rows are in flight on the current connection.
                if (++$seen -eq 1) { Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key }
                $_
            })
        $made.Count | Should -Be 40
        ($made.Name | Sort-Object -Unique).Count | Should -Be 40
    }

    It 'refuses calls once disposed, naming what to do' {
        $disposed = Connect-SocialOS -BaseUri $Box.ApiUri -ApiKey $Key -ReturnConnection
        $disposed.Dispose()
        { Get-SocialGift -Connection $disposed -First 1 -ErrorAction Stop } | Should -Throw -ErrorId "NotConnected,GiftStudio.PowerShell.Commands.GetSocialGiftCommand" -ExpectedMessage "*disposed*Connect-SocialOS*"
    }
}
