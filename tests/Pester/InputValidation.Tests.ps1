# Input the module refuses: bad parameter values fail with their error id before any request is
# sent, and the error of a piped row names the row.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
}

Describe 'Bad parameter values fail before any request is sent' {
    BeforeAll {
        $script:strict = Start-TestSandbox
        $script:strictConnection = $strict | Connect-SocialOS -PassThru
    }
    AfterAll { Stop-TestSandbox $strict }

    It '<Case> fails with <ErrorId>' -ForEach @(
        @{ Case = 'reward 501.5'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward '501.5' } }
        @{ Case = 'reward 0x1F4'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward '0x1F4' } }
        @{ Case = 'reward 1,5'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward '1,5' } }
        @{ Case = 'reward 5e2'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward '5e2' } }
        @{ Case = 'reward 2.5 (double)'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward 2.5 } }
        @{ Case = 'reward $true'; ErrorId = 'InvalidReward'; Call = { New-SocialGift -Name n -Tier gold -Reward $true } }
        @{ Case = 'reward empty'; ErrorId = 'MissingReward'; Call = { New-SocialGift -Name n -Tier gold -Reward '' } }
        @{ Case = 'tier diamond'; ErrorId = 'InvalidTier'; Call = { New-SocialGift -Name n -Tier diamond -Reward 5 } }
        @{ Case = 'tier empty'; ErrorId = 'MissingTier'; Call = { New-SocialGift -Name n -Tier '' -Reward 5 } }
        @{ Case = 'name empty'; ErrorId = 'MissingName'; Call = { New-SocialGift -Name ' ' -Tier gold -Reward 5 } }
        @{ Case = 'expires 03/04/2026'; ErrorId = 'InvalidExpires'; Call = { New-SocialGift -Name n -Tier gold -Reward 5 -Expires '03/04/2026' } }
        @{ Case = 'expires tomorrow'; ErrorId = 'InvalidExpires'; Call = { New-SocialGift -Name n -Tier gold -Reward 5 -Expires 'tomorrow' } }
        @{ Case = 'expires 42'; ErrorId = 'InvalidExpires'; Call = { New-SocialGift -Name n -Tier gold -Reward 5 -Expires 42 } }
        @{ Case = 'badge maybe'; ErrorId = 'ParameterArgumentTransformationError'; Call = { [pscustomobject]@{ Name = 'n'; Tier = 'gold'; Reward = 5; Badge = 'maybe' } | New-SocialGift } }
        @{ Case = 'value 1.5'; ErrorId = 'InvalidValue'; Call = { Set-SocialTierScore -UserId u -Value '1.5' } }
        @{ Case = 'value ten'; ErrorId = 'InvalidValue'; Call = { Set-SocialTierScore -UserId u -Value 'ten' } }
        @{ Case = 'value empty'; ErrorId = 'MissingValue'; Call = { Set-SocialTierScore -UserId u -Value '' } }
        @{ Case = 'user empty'; ErrorId = 'MissingUserId'; Call = { Set-SocialTierScore -UserId '' -Value 5 } }
        @{ Case = 'action redeem'; ErrorId = 'InvalidAction'; Call = { Set-SocialTierScore -UserId u -Value 5 -Action redeem } }
        @{ Case = 'idempotency key with a newline'; ErrorId = 'InvalidIdempotencyKey'; Call = { Set-SocialTierScore -UserId u -Value 5 -IdempotencyKey "a`nb" } }
        @{ Case = 'idempotency key of 300 characters'; ErrorId = 'InvalidIdempotencyKey'; Call = { Set-SocialTierScore -UserId u -Value 5 -IdempotencyKey ('k' * 300) } }
        @{ Case = 'metric gifts'; ErrorId = 'InvalidMetric'; Call = { Get-SocialCurrencyAudit -Metric gifts } }
        @{ Case = 'window 7w'; ErrorId = 'InvalidWindow'; Call = { Get-SocialCurrencyAudit -Window 7w } }
        @{ Case = 'window 7.5d'; ErrorId = 'InvalidWindow'; Call = { Get-SocialCurrencyAudit -Window 7.5d } }
        @{ Case = 'window d'; ErrorId = 'InvalidWindow'; Call = { Get-SocialCurrencyAudit -Window d } }
    ) {
        $before = Get-RequestTotal $strict
        $PSDefaultParameterValues = @{ '*-Social*:Connection' = $strictConnection }
        $output = @(& $Call 2>&1)
        $err = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,GiftStudio.PowerShell.Commands.*"
        $err[0].Exception.Message | Should -Not -BeNullOrEmpty
        (Get-RequestTotal $strict) | Should -Be $before
    }
}

Describe 'Errors of piped rows' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $Box | Connect-SocialOS
    }
    AfterAll { Stop-TestSandbox $Box }

    It 'name the row they are about, on the console as in the record' {
        $rows = [pscustomobject]@{ UserId = 'row.named'; Value = '1.5' }, [pscustomobject]@{ Name = 'Named gift'; Tier = 'diamond'; Reward = 5 }
        $rows[0] | Set-SocialTierScore -ErrorVariable e1 -ErrorAction SilentlyContinue
        $rows[1] | New-SocialGift -ErrorVariable e2 -ErrorAction SilentlyContinue
        # Piped from a variable: the position in the pipeline, no CSV line.
        $e1[0].ToString() | Should -BeLike "Row 1 (user 'row.named'): Value must be a whole number*"
        $e2[0].ToString() | Should -BeLike "Row 1 (gift 'Named gift'): *diamond*"
        $e1[0].TargetObject.Row | Should -Be 1
        $e1[0].TargetObject.PSObject.Properties['CsvLine'] | Should -BeNullOrEmpty
        $e1[0].Exception.Message | Should -BeLike 'Value must be a whole number*'
    }
}
