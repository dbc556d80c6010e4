# Idempotency keys end to end: the same key applies once and replays, a different body with it
# is refused, a CSV's key column makes re-imports safe, one literal key for several rows is refused.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
}

Describe 'Idempotency end to end' {
    BeforeAll {
        $script:idem = Start-TestSandbox
        $script:idemConnection = $idem | Connect-SocialOS -PassThru
        $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-idem-').FullName
    }
    AfterAll {
        Stop-TestSandbox $idem
        Remove-Item -Recurse -Force $Work -ErrorAction Ignore
    }

    It 'applies the same key once and returns the same object' {
        $first = Set-SocialTierScore -Connection $idemConnection -UserId 'idem.a' -Value 40 -IdempotencyKey 'run-1-row-1'
        $second = Set-SocialTierScore -Connection $idemConnection -UserId 'idem.a' -Value 40 -IdempotencyKey 'run-1-row-1'
        $second.Current | Should -Be 40
        $second.UpdatedAt | Should -Be $first.UpdatedAt
        (Invoke-Sandbox $idem '/v2/gamification/score/idem.a').current | Should -Be 40
        $gift1 = New-SocialGift -Connection $idemConnection -Name 'Once' -Tier bronze -Reward 5 -IdempotencyKey 'gift-once'
        $gift2 = New-SocialGift -Connection $idemConnection -Name 'Once' -Tier bronze -Reward 5 -IdempotencyKey 'gift-once'
        $gift2.GiftId | Should -Be $gift1.GiftId
    }

    It 'refuses the same key with a different value' {
        Set-SocialTierScore -Connection $idemConnection -UserId 'idem.a' -Value 41 -IdempotencyKey 'run-1-row-1' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiRuleViolation,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        $err[0].Exception.Message | Should -Match 'Idempotency-Key'
        (Invoke-Sandbox $idem '/v2/gamification/score/idem.a').current | Should -Be 40
    }

    It 'applies each row of a CSV with an IdempotencyKey column once, however often it is imported' {
        $csv = Join-Path $Work 'redemptions.csv'
        @('UserId,Value,IdempotencyKey', 'idem.csv1,10,batch7-1', 'idem.csv2,20,batch7-2', 'idem.csv1,5,batch7-3') | Set-Content $csv
        $firstRun = @(Import-Csv $csv | Set-SocialTierScore -Connection $idemConnection)
        $secondRun = @(Import-Csv $csv | Set-SocialTierScore -Connection $idemConnection)
        $secondRun.Current | Should -Be $firstRun.Current
        (Invoke-Sandbox $idem '/v2/gamification/score/idem.csv1').current | Should -Be 15
        (Invoke-Sandbox $idem '/v2/gamification/score/idem.csv2').current | Should -Be 20
    }

    It 'refuses one literal key for several pipeline items instead of replaying' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = "idem.lit$_"; Value = 1 } }
        $out = @($rows | Set-SocialTierScore -Connection $idemConnection -IdempotencyKey 'one-key' -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 2
        $err.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'IdempotencyKeyReused,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        { Invoke-Sandbox $idem '/v2/gamification/score/idem.lit2' } | Should -Throw '*404*'
    }
}
