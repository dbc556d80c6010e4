# -ThrottleLimit: up to N requests in flight while input streams in, results written in
# input order, one error per failed item, and retries, idempotency and -WhatIf unchanged.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    # Random delays make later requests finish before earlier ones.
    $script:Slow = Start-TestSandbox -Faults 'seed=5,delay=0-40'
    $script:SlowConn = $Slow | Connect-SocialOS -PassThru
    $script:Key = [System.Net.NetworkCredential]::new('', $Slow.ApiKey).Password
    function script:Get-Score($Sandbox, $Key, $User) {
        (Invoke-RestMethod "$($Sandbox.BaseUri)/gamification/score/$User" -Headers @{ Authorization = "Bearer $Key" }).current
    }
}

AfterAll { Stop-TestSandbox $Slow }

Describe 'Concurrent pipelines' {
    It 'writes results in input order with 8 in flight' {
        $rows = 1..120 | ForEach-Object { [pscustomobject]@{ UserId = "order.$_"; Value = $_ } }
        $out = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8)
        $out.UserId | Should -Be $rows.UserId
        $out.Current | Should -Be $rows.Value
        $gifts = @(1..40 | ForEach-Object { [pscustomobject]@{ Name = "Ordered $_"; Tier = 'silver'; Reward = $_ } } | New-SocialGift -Connection $SlowConn -ThrottleLimit 8)
        $gifts.Name | Should -Be (1..40 | ForEach-Object { "Ordered $_" })
    }

    It 'applies rows of the same user in input order' {
        $rows = @(
            [pscustomobject]@{ UserId = 'same.user'; Value = 100 }
            [pscustomobject]@{ UserId = 'other.user'; Value = 5 }
            [pscustomobject]@{ UserId = 'same.user'; Value = -100; Action = 'adjustment' }
            [pscustomobject]@{ UserId = 'same.user'; Value = 7 }
        )
        $out = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8)
        $out.Current | Should -Be @(100, 5, 0, 7)
        $out.Previous | Should -Be @(0, 0, 100, 0)
    }

    It 'writes one error per failed item, in its place, and goes on' {
        $rows = 1..30 | ForEach-Object {
            # Every fifth row would take a new user below zero: the server refuses it (422).
            if ($_ % 5 -eq 0) { [pscustomobject]@{ UserId = "fail.$_"; Value = -10; Action = 'adjustment' } }
            elseif ($_ % 7 -eq 0) { [pscustomobject]@{ UserId = "fail.$_"; Value = 'x' } }
            else { [pscustomobject]@{ UserId = "fail.$_"; Value = 1 } }
        }
        $all = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 2>&1)
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 10
        ($errors | Where-Object { $_.FullyQualifiedErrorId -like 'ApiRuleViolation,*' }).Count | Should -Be 6
        ($errors | Where-Object { $_.FullyQualifiedErrorId -like 'InvalidValue,*' }).Count | Should -Be 4
        # Output and errors interleave exactly in input order.
        $order = $all | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.TargetObject.UserId } else { $_.UserId } }
        $order | Should -Be $rows.UserId
    }

    It 'ends quietly under Select-Object -First 1 and cancels what is in flight' {
        $rows = 1..200 | ForEach-Object { [pscustomobject]@{ UserId = "first.$_"; Value = 1 } }
        $out = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 -ErrorVariable err | Select-Object -First 1)
        $out.Count | Should -Be 1
        $out[0].UserId | Should -Be 'first.1'
        $err.Count | Should -Be 0
        # With 8 in flight, row 1's result is written before row 10 is submitted: rows 10 and
        # later were never sent, so no wait is needed for anything still on the wire.
        $applied = @(10..200 | Where-Object {
                try { $null = Get-Score $Slow $Key "first.$_"; $true } catch { $false }
            })
        $applied.Count | Should -Be 0 -Because 'at most the first requests in flight were sent'
    }

    It 'sends nothing under -WhatIf' {
        $rows = 1..20 | ForEach-Object { [pscustomobject]@{ UserId = "whatif.$_"; Value = 1 } }
        $rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 -WhatIf | Should -BeNullOrEmpty
        { Get-Score $Slow $Key 'whatif.1' } | Should -Throw '*404*'
    }

    It 'keeps retries and idempotency exact under faults with 8 in flight' {
        $chaos = Start-TestSandbox -Faults 'seed=99,503=0.2,drop=0.1,retry-after=0,only=POST,delay=0-10'
        try {
            $conn = $chaos | Connect-SocialOS -MaxRetries 15 -RetryBaseDelaySec 0.005 -PassThru
            $chaosKey = [System.Net.NetworkCredential]::new('', $chaos.ApiKey).Password
            $rows = 1..300 | ForEach-Object { [pscustomobject]@{ UserId = 'conc.' + ($_ % 10); Value = $_ } }
            $out = @($rows | Set-SocialTierScore -Connection $conn -ThrottleLimit 8 -ErrorVariable err)
            $err.Count | Should -Be 0
            $out.Count | Should -Be 300
            foreach ($group in $rows | Group-Object UserId) {
                Get-Score $chaos $chaosKey $group.Name | Should -Be ($group.Group | Measure-Object Value -Sum).Sum
            }
        }
        finally {
            Stop-TestSandbox $chaos
        }
    }
}
