# Runbooks that restart: an import stopped part-way (as a host stops a job) and run again from
# the top with the same -IdempotencyKeyPrefix applies each row exactly once, with no key column.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-restart-').FullName

    # 2,000 rows over 200 users; rows i and i+1400 are identical (same user, same value), so
    # 600 rows repeat an earlier row exactly and must still count twice.
    $script:Rows = 0..1999 | ForEach-Object { [pscustomobject]@{ UserId = "restart.u$($_ % 200)"; Value = ($_ % 7) + 1 } }
    $script:Expected = @{}
    foreach ($row in $Rows) { $Expected[$row.UserId] = $Expected[$row.UserId] + $row.Value }

    function script:Get-EventCount($Sandbox) {
        # Every row is a positive gift_redeemed change: points_awarded counts each one.
        (Invoke-RestMethod "$($Sandbox.ApiUri)/analytics?type=currency&metric=points_awarded&window=2d" -Headers $Sandbox.Headers).summary.total_gifts
    }

    # Runs the import in its own runspace and stops it from this thread once the server holds
    # at least $StopAt events, as a runbook host stops a job.
    function script:Invoke-StoppedImport($Connection, $Sandbox, [int] $ThrottleLimit, [string] $Prefix, [int] $StopAt) {
        $ps = [powershell]::Create()
        try {
            $ps.AddScript({
                    param($Manifest, $Rows, $Connection, $ThrottleLimit, $Prefix)
                    Import-Module $Manifest
                    $Rows | Set-SocialTierScore -Connection $Connection -ThrottleLimit $ThrottleLimit -IdempotencyKeyPrefix $Prefix | Out-Null
                }).AddArgument((Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')).AddArgument($Rows).AddArgument($Connection).
                AddArgument($ThrottleLimit).AddArgument($Prefix) | Out-Null
            $null = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while ((Get-EventCount $Sandbox) -lt $StopAt -and $ps.InvocationStateInfo.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped' -Because 'the import must have been stopped part-way, not finished'
        }
        finally { $ps.Dispose() }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'An import stopped part-way and run again with the same prefix' {
    It '<Case>: every total is exact and the replays are exactly the events of the first run' -ForEach @(
        @{ Case = 'default throttle'; ThrottleLimit = 4; Faults = $null; Resort = $false }
        @{ Case = '-ThrottleLimit 8'; ThrottleLimit = 8; Faults = $null; Resort = $false }
        # 503s and 429s are answers that did nothing; a dropped answer would make a row's own
        # retry a replay and blur the count this test makes exact.
        @{ Case = 'faults injected'; ThrottleLimit = 8; Faults = 'seed=13,503=0.2,429=0.05,retry-after=0,only=POST'; Resort = $false }
        @{ Case = 'CSV re-sorted between the runs'; ThrottleLimit = 8; Faults = $null; Resort = $true }
    ) {
        $data = Join-Path $Work ("restart-{0}.db" -f [guid]::NewGuid().ToString('n'))
        $key = 'sk_test_' + [guid]::NewGuid().ToString('n')
        $settings = @{ MaxRetries = 15; RetryBaseDelaySec = 0.005 }
        $prefix = "redemptions-2026-11-29-$($ThrottleLimit)"

        $first = Start-TestSandbox -DataPath $data -Key $key -Faults $Faults
        try {
            Invoke-StoppedImport (Connect-TestSandbox $first $settings) $first $ThrottleLimit $prefix 500
        }
        finally {
            # SIGKILL: what was committed stays, what was in flight and not committed never will be.
            Stop-TestSandbox $first
        }

        $second = Start-TestSandbox -DataPath $data -Key $key -Faults $Faults
        try {
            $before = Get-EventCount $second
            $before | Should -BeGreaterOrEqual 500
            $before | Should -BeLessThan 2000
            $input2 = if ($Resort) { $Rows | Sort-Object { [guid]::NewGuid() } } else { $Rows }
            $out = @($input2 | Set-SocialTierScore -Connection (Connect-TestSandbox $second $settings) -ThrottleLimit $ThrottleLimit `
                    -IdempotencyKeyPrefix $prefix -ErrorVariable failed)
            $failed.Count | Should -Be 0
            $out.Count | Should -Be 2000
            @($out | Where-Object Replayed).Count | Should -Be $before
            (Get-EventCount $second) | Should -Be 2000
            foreach ($user in $Expected.Keys) {
                (Invoke-RestMethod "$($second.ApiUri)/gamification/score/$user" -Headers $second.Headers).current | Should -Be $Expected[$user] -Because $user
            }
            Write-Host ("    {0}: first run left {1} events; the second replayed {2} and applied {3}" -f $Case, $before,
                @($out | Where-Object Replayed).Count, @($out | Where-Object { -not $_.Replayed }).Count)
        }
        finally { Stop-TestSandbox $second }
    }
}

Describe 'Derived keys' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:BoxConnection = Connect-TestSandbox $Box
    }
    AfterAll { Stop-TestSandbox $Box }

    It 'stay within the contract: printable ASCII, at most 255 characters, distinct for identical rows' {
        $long = 'p' * 160
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = 'keys.user'; Value = 5 } }
        $out = @($rows | Set-SocialTierScore -Connection $BoxConnection -IdempotencyKeyPrefix $long -Verbose 4>&1)
        $keys = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '-> 200' } |
                ForEach-Object { [regex]::Match($_.Message, '\[user keys\.user, key (\S+)\]').Groups[1].Value })
        $keys.Count | Should -Be 3
        ($keys | Sort-Object -Unique).Count | Should -Be 3
        foreach ($k in $keys) {
            $k.Length | Should -BeLessOrEqual 255
            $k | Should -Match '^[!-~]+$'
            $k | Should -BeLike "$long`:score:*"
        }
        $keys[2] | Should -BeLike '*:3'
        (Invoke-RestMethod "$($Box.ApiUri)/gamification/score/keys.user" -Headers $Box.Headers).current | Should -Be 15
    }

    It 'give an edited row a new key: it is applied' {
        $a = Set-SocialTierScore -Connection $BoxConnection -UserId 'keys.edit' -Value 5 -IdempotencyKeyPrefix 'edit-run'
        $b = Set-SocialTierScore -Connection $BoxConnection -UserId 'keys.edit' -Value 6 -IdempotencyKeyPrefix 'edit-run'
        $c = Set-SocialTierScore -Connection $BoxConnection -UserId 'keys.edit' -Value 5 -IdempotencyKeyPrefix 'edit-run'
        $b.Replayed | Should -BeFalse
        $c.Replayed | Should -BeTrue
        $c.Current | Should -Be 5 -Because 'a replay carries the first answer'
        (Invoke-RestMethod "$($Box.ApiUri)/gamification/score/keys.edit" -Headers $Box.Headers).current | Should -Be 11
    }

    It 'refuses a prefix that cannot make a valid key, before sending anything: <Case>' -ForEach @(
        @{ Case = 'a space'; Prefix = 'my run' }
        @{ Case = '161 characters'; Prefix = 'x' * 161 }
        @{ Case = 'a non-ASCII letter'; Prefix = 'läuft' }
    ) {
        $err = $null
        try { Set-SocialTierScore -Connection $BoxConnection -UserId 'keys.bad' -Value 1 -IdempotencyKeyPrefix $Prefix -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidIdempotencyKeyPrefix,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        $err.Exception.Message | Should -BeLike "*IdempotencyKeyPrefix*"
        { Invoke-RestMethod "$($Box.ApiUri)/gamification/score/keys.bad" -Headers $Box.Headers } | Should -Throw '*404*'
    }

    It 'refuses -IdempotencyKey together with -IdempotencyKeyPrefix' {
        { Set-SocialTierScore -Connection $BoxConnection -UserId 'keys.bad' -Value 1 -IdempotencyKey k1 -IdempotencyKeyPrefix p -ErrorAction Stop } |
            Should -Throw -ErrorId 'IdempotencyKeyConflict,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
    }

    It 'work the same for New-SocialGift: a second run returns the same gifts as replays' {
        $gifts = 1..3 | ForEach-Object { [pscustomobject]@{ Name = "Restart gift $_"; Tier = 'silver'; Reward = 10 * $_ } }
        $first = @($gifts | New-SocialGift -Connection $BoxConnection -IdempotencyKeyPrefix 'gift-run')
        $second = @($gifts | New-SocialGift -Connection $BoxConnection -IdempotencyKeyPrefix 'gift-run')
        $second.GiftId | Should -Be $first.GiftId
        @($second | Where-Object Replayed).Count | Should -Be 3
        @($first | Where-Object Replayed).Count | Should -Be 0
    }
}
