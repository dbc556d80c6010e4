# Honest outcomes: after a flaky run the error list is exactly the list of rows still to do,
# re-running it applies each row once (rows applied before come back as replays), and a
# server that is down ends a 30,000-row import in a few dozen network attempts.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSandbox.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-outcomes-').FullName

    function script:Connect-TestSandbox($Sandbox) {
        Connect-SocialOS -BaseUri $Sandbox.ApiUri -ApiKey (ConvertTo-SecureString $Sandbox.Key -AsPlainText -Force) -PassThru
    }
    function script:Get-Current($Sandbox, [string] $User) {
        try { (Invoke-RestMethod "$($Sandbox.ApiUri)/gamification/score/$User" -Headers $Sandbox.Headers).current }
        catch { if ($_.Exception.Response.StatusCode -eq 404) { 0 } else { throw } }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'A flaky network: the error list is the list of rows still to do' {
    BeforeAll {
        $script:Data = Join-Path $Work 'flaky.db'
        $script:TenantKey = 'sk_test_' + [guid]::NewGuid().ToString('n')
        # 30% 503 before any work, 20% of POSTs committed and then their connection dropped.
        $flaky = Start-TestSandbox -DataPath $Data -Key $TenantKey -Faults 'seed=3,503=0.3,drop=0.2'
        try {
            $connection = Connect-SocialOS -BaseUri $flaky.ApiUri -ApiKey (ConvertTo-SecureString $flaky.Key -AsPlainText -Force) -RetryBaseDelaySec 0.01 -PassThru
            $script:Rows = 1..300 | ForEach-Object { [pscustomobject]@{ UserId = "flaky.user$_"; Value = 10; Action = 'adjustment' } }
            $script:FirstRun = @($Rows | Set-SocialTierScore -Connection $connection -ThrottleLimit 16 -ErrorVariable failed -ErrorAction SilentlyContinue)
            $script:Failed = @($failed)
        }
        finally { Stop-TestSandbox $flaky }

        # The same data file and tenant, without faults: what a re-run meets once the network is back.
        $script:Calm = Start-TestSandbox -DataPath $Data -Key $TenantKey
        $script:CalmConnection = Connect-TestSandbox $Calm
        $script:AppliedBefore = @($Failed | Where-Object { (Get-Current $Calm $_.TargetObject.UserId) -eq 10 })
        Write-Host ("    flaky figures: {0} results, {1} errors ({2} applied before the re-run: {3})" -f $FirstRun.Count, $Failed.Count, $AppliedBefore.Count,
            (($Failed | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | ForEach-Object { "$($_.Count) x $($_.Name)" }) -join ', '))
    }
    AfterAll { Stop-TestSandbox $Calm }

    It 'accounts for every row once: a result or an error' {
        $Failed.Count | Should -BeGreaterThan 0 -Because 'the fault mix must leave some rows failed, or this test proves nothing'
        ($FirstRun.Count + $Failed.Count) | Should -Be 300
        @($FirstRun.UserId) + @($Failed.TargetObject.UserId) | Sort-Object -Unique | Should -HaveCount 300
    }

    It 'never says "nothing was done" of a row that was applied: those are ApiOutcomeUnknown' {
        $AppliedBefore.Count | Should -BeGreaterThan 0 -Because 'drops after commit must have hit some failed rows'
        foreach ($record in $AppliedBefore) {
            $record.FullyQualifiedErrorId | Should -BeLike 'ApiOutcomeUnknown,*' -Because $record.Exception.Message
            $record.Exception.Message | Should -Not -Match 'nothing was (done|applied)'
            $record.Exception.Outcome | Should -Be 'Unknown'
        }
    }

    It 'gives every error its key and marks it to re-run as it is; the target carries the key' {
        foreach ($record in $Failed) {
            $record.Exception.IdempotencyKey | Should -Not -BeNullOrEmpty
            $record.Exception.Recovery | Should -Be 'RerunAsIs'
            $record.TargetObject.IdempotencyKey | Should -Be $record.Exception.IdempotencyKey
            $record.Exception.Message | Should -BeLike "*$($record.Exception.IdempotencyKey)*"
            $record.CategoryInfo.Category | Should -BeIn 'ConnectionError', 'ResourceUnavailable'
        }
    }

    It 're-running the errors applies each row exactly once; replays are exactly the rows applied before' {
        $rerun = @($Failed | ForEach-Object TargetObject | Set-SocialTierScore -Connection $CalmConnection -ErrorVariable again)
        $again.Count | Should -Be 0
        $rerun.Count | Should -Be $Failed.Count
        @($rerun | Where-Object Replayed).Count | Should -Be $AppliedBefore.Count
        @($rerun | Where-Object Replayed).UserId | Sort-Object | Should -Be (@($AppliedBefore.TargetObject.UserId) | Sort-Object)
        foreach ($row in $Rows) { Get-Current $Calm $row.UserId | Should -Be 10 -Because $row.UserId }
        # And a second re-run of the same errors changes nothing: every row is a replay now.
        $third = @($Failed | ForEach-Object TargetObject | Set-SocialTierScore -Connection $CalmConnection)
        @($third | Where-Object Replayed).Count | Should -Be $Failed.Count
        foreach ($row in $Rows) { Get-Current $Calm $row.UserId | Should -Be 10 -Because $row.UserId }
    }
}

Describe 'A dead server ends a bulk import quickly' {
    BeforeAll {
        $box = Start-SocialSandbox
        # Default retry settings: without the breaker each row would spend seconds in backoff.
        $script:DeadConnection = $box | Connect-SocialOS -PassThru
        $box | Stop-SocialSandbox
        $script:Rows = 1..30000 | ForEach-Object { [pscustomobject]@{ UserId = "dead.user$_"; Value = 1 } }
        $script:Output = @($Rows | Set-SocialTierScore -Connection $DeadConnection -Verbose -ErrorVariable failed -ErrorAction SilentlyContinue 4>&1)
        $script:Failed = @($failed)
        # One line per network attempt, from the client's own diagnostics.
        $script:Attempts = @($Output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^POST \S+ \[.*\] -> ' })
        Write-Host ("    dead-server figures: 30,000 rows, {0} network attempts, {1} errors ({2})" -f $Attempts.Count, $Failed.Count,
            (($Failed | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | ForEach-Object { "$($_.Count) x $($_.Name)" }) -join ', '))
    }

    It 'makes at most a few dozen network attempts' {
        $Attempts.Count | Should -BeGreaterOrEqual $DeadConnection.CircuitBreakerThreshold
        $Attempts.Count | Should -BeLessOrEqual 36
    }

    It 'accounts for every row with an error to re-run as it is, each with its own key' {
        $Failed.Count | Should -Be 30000
        @($Output | Where-Object { $_ -is [GiftStudio.SocialTierScore] }).Count | Should -Be 0
        $ids = $Failed | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Sort-Object -Unique
        $ids | Should -BeIn 'ApiUnreachable', 'ApiCircuitOpen'
        @($Failed | Where-Object { $_.FullyQualifiedErrorId -like 'ApiCircuitOpen,*' }).Count | Should -BeGreaterOrEqual (30000 - 36)
        @($Failed | Where-Object { $_.Exception.Recovery -ne 'RerunAsIs' }).Count | Should -Be 0
        @($Failed.TargetObject.IdempotencyKey | Sort-Object -Unique).Count | Should -Be 30000
        $Failed[-1].Exception.Message | Should -Match 'Not sent: .*circuit breaker'
    }

    It 'shows the breaker open on the connection' {
        $DeadConnection.CircuitState | Should -BeIn 'Open', 'HalfOpen'
    }
}
