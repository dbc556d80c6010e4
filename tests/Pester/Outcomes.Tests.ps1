# Honest outcomes: after a flaky run the error list is exactly the list of rows still to do,
# re-running it applies each row once (rows applied before come back as replays), and a
# server that is down ends a 30,000-row import in a few dozen network attempts.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-outcomes-').FullName

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
        $box = Start-TestSandbox
        # Default retry settings: without the breaker each row would spend seconds in backoff.
        $script:DeadConnection = $box | Connect-SocialOS -PassThru
        Stop-TestSandbox $box
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

Describe 'Replayed means applied by an earlier call, never by this call''s own lost attempt' {
    BeforeAll {
        $script:Data = Join-Path $Work 'replays.db'
        $script:TenantKey = 'sk_test_' + [guid]::NewGuid().ToString('n')
        # Half of the POSTs are committed and then their connection dropped: the retry of such a
        # row is answered from the record its own first attempt left.
        $lossy = Start-TestSandbox -DataPath $Data -Key $TenantKey -Faults 'seed=5,drop=0.5'
        try {
            $connection = Connect-SocialOS -BaseUri $lossy.ApiUri -ApiKey (ConvertTo-SecureString $lossy.Key -AsPlainText -Force) -RetryBaseDelaySec 0.01 -PassThru
            $script:Fresh = @(1..300 | ForEach-Object { [pscustomobject]@{ UserId = "replay.fresh$_"; Value = 10; Action = 'adjustment' } } |
                Set-SocialTierScore -Connection $connection -ThrottleLimit 16 -ErrorAction SilentlyContinue)
            # Keys derived from a prefix came with the rows: only the age of the server's record places a replay.
            $script:Derived = @(1..300 | ForEach-Object { [pscustomobject]@{ UserId = "replay.derived$_"; Value = 10; Action = 'adjustment' } } |
                Set-SocialTierScore -Connection $connection -ThrottleLimit 16 -IdempotencyKeyPrefix 'replay-run' -ErrorAction SilentlyContinue)
            $script:Dropped = (Get-SandboxStats $lossy).faults.dropped_after_commit
        }
        finally { Stop-TestSandbox $lossy }
        $script:Calm = Start-TestSandbox -DataPath $Data -Key $TenantKey
        $script:CalmConnection = Connect-TestSandbox $Calm
        Write-Host ("    replay figures: {0} + {1} results of 300 + 300 rows, {2} answers dropped after the commit" -f $Fresh.Count, $Derived.Count, $Dropped)
    }
    AfterAll { Stop-TestSandbox $Calm }

    It 'marks none of 300 new users Replayed, with keys made for the call' {
        $Dropped | Should -BeGreaterThan 100 -Because 'the drops must have made replays of lost attempts, or this test proves nothing'
        $Fresh.Count | Should -BeGreaterThan 250
        @($Fresh | Where-Object Replayed).Count | Should -Be 0
        @($Fresh | Where-Object AppliedBy -ne 'ThisCall').Count | Should -Be 0
        @($Fresh | Where-Object Previous -ne 0).Count | Should -Be 0 -Because 'they are new users: every result is a first application'
    }

    It 'marks none of them Replayed with keys derived from a prefix either' {
        $Derived.Count | Should -BeGreaterThan 250
        @($Derived | Where-Object Replayed).Count | Should -Be 0
        @($Derived | Where-Object AppliedBy -ne 'ThisCall').Count | Should -Be 0
    }

    It 'marks every row of a re-run of the earlier call Replayed, applied by the earlier call' {
        $again = @(1..300 | ForEach-Object { [pscustomobject]@{ UserId = "replay.derived$_"; Value = 10; Action = 'adjustment' } } |
            Set-SocialTierScore -Connection $CalmConnection -IdempotencyKeyPrefix 'replay-run' -ErrorVariable failedAgain)
        $failedAgain.Count | Should -Be 0
        $again.Count | Should -Be 300
        # The rows the first call reported applied are replays now. A row it reported failed may
        # have been applied (its answers lost: a replay now) or never sent (the breaker opened
        # under the drops: applied now); either way once, so every total is 10.
        $reported = @($Derived.UserId)
        @($again | Where-Object { $_.UserId -in $reported -and -not $_.Replayed }).UserId | Should -BeNullOrEmpty -Because 'the first call applied these'
        @($again | Where-Object { $_.UserId -in $reported -and $_.AppliedBy -ne 'EarlierCall' }).Count | Should -Be 0
        @($again | Where-Object Current -ne 10).UserId | Should -BeNullOrEmpty -Because 'each row is applied once, by one of the two calls'
        @($again | Where-Object { -not $_.Replayed -and $_.Previous -ne 0 }).UserId | Should -BeNullOrEmpty -Because 'a row applied now was never applied before'
    }
}

Describe 'A 503 after a possibly applied attempt never says "nothing was applied"' {
    It 'keeps a re-run under the same keys Unknown against 503=1, and a calm third run finds them applied' {
        $data = Join-Path $Work 'unknown.db'
        $key = 'sk_test_' + [guid]::NewGuid().ToString('n')
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = "unknown.user$_"; Value = 7 } }
        $dropping = Start-TestSandbox -DataPath $data -Key $key -Faults 'drop=1'
        try {
            $connection = Connect-SocialOS -BaseUri $dropping.ApiUri -ApiKey (ConvertTo-SecureString $key -AsPlainText -Force) -RetryBaseDelaySec 0.01 -PassThru
            $rows | Set-SocialTierScore -Connection $connection -ErrorVariable first -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { Stop-TestSandbox $dropping }
        $first.Count | Should -Be 3
        $first | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ApiOutcomeUnknown,*' }

        # The documented one-liner, against a server that answers 503 to everything.
        $busy = Start-TestSandbox -DataPath $data -Key $key -Faults '503=1'
        try {
            $connection = Connect-SocialOS -BaseUri $busy.ApiUri -ApiKey (ConvertTo-SecureString $key -AsPlainText -Force) -RetryBaseDelaySec 0.01 -PassThru
            $first | Where-Object { $_.Exception.Recovery -eq 'RerunAsIs' } | ForEach-Object TargetObject |
                Set-SocialTierScore -Connection $connection -ErrorVariable second -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { Stop-TestSandbox $busy }
        $second.Count | Should -Be 3
        foreach ($record in $second) {
            $record.Exception.Outcome | Should -Be 'Unknown' -Because $record.Exception.Message
            $record.Exception.Recovery | Should -Be 'RerunAsIs'
            $record.Exception.Message | Should -Not -Match 'Nothing was applied'
            $record.Exception.Message | Should -Match 'an earlier call may have sent it'
            $record.Exception.Message | Should -Match 'attempt 1: HTTP 503'
        }

        $calm = Start-TestSandbox -DataPath $data -Key $key
        try {
            $third = @($second | ForEach-Object TargetObject | Set-SocialTierScore -Connection (Connect-TestSandbox $calm))
            $third.Count | Should -Be 3
            @($third | Where-Object Replayed).Count | Should -Be 3 -Because 'the first run had applied them all along'
            foreach ($row in $rows) { Get-Current $calm $row.UserId | Should -Be 7 }
        }
        finally { Stop-TestSandbox $calm }
    }
}

Describe 'Rows refused by the module''s own checks are named and have an outcome and a recovery' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:BoxConnection = Connect-TestSandbox $Box
        $script:Csv = Join-Path $Work 'refused.csv'
        'UserId,Value,Action', 'named.a,5,', ',5,', 'named.b,five,', 'named.c,5,redeem', 'named.d,5,' | Set-Content $Csv
        $script:Results = @(Import-Csv $Csv | Set-SocialTierScore -Connection $BoxConnection -ErrorVariable refused -ErrorAction SilentlyContinue)
        $script:Refused = @($refused)
    }
    AfterAll { Stop-TestSandbox $Box }

    It 'gives each its id, Outcome Refused and Recovery FixAndSendAsNew, so a runbook''s filter keeps them' {
        $Results.UserId | Should -Be @('named.a', 'named.d')
        $Refused.FullyQualifiedErrorId | ForEach-Object { $_.Split(',')[0] } | Should -Be @('MissingUserId', 'InvalidValue', 'InvalidAction')
        $Refused.Exception.Outcome | Should -Be @('Refused', 'Refused', 'Refused')
        @($Refused | Where-Object { $_.Exception.Recovery -eq 'FixAndSendAsNew' }).Count | Should -Be 3
    }

    It 'names the row: pipeline position, CSV line and key fields, in the message and on the target' {
        $Refused.TargetObject.Row | Should -Be @(2, 3, 4)
        $Refused.TargetObject.CsvLine | Should -Be @(3, 4, 5)
        "$($Refused[0])" | Should -BeLike 'Row 2 (CSV line 3): UserId is required*'
        "$($Refused[1])" | Should -BeLike "Row 3 (CSV line 4; user 'named.b'): *"
        "$($Refused[2])" | Should -BeLike "Row 4 (CSV line 5; user 'named.c'): *"
    }
}

Describe 'A frozen server (SIGSTOP) ends a bulk import like a stopped one' {
    BeforeAll {
        # SIGSTOP on the sandbox's process group: a POSIX signal, with /usr/bin/kill as on Linux.
        $script:NoSigstop = if (-not $IsLinux) { 'freezing the sandbox needs SIGSTOP on its process group (/usr/bin/kill), which these tests do on Linux only' }
        if ($NoSigstop) { return }
        $script:Frozen = Start-TestSandbox
        $connection = Connect-TestSandbox $Frozen
        # The sandbox runs in a session of its own: stopping its process group freezes it whole,
        # while its kernel keeps accepting connections and reading requests, as a hung server's does.
        $group = "-$($Frozen.ProcessId)"
        $script:Rows = 1..1500 | ForEach-Object { [pscustomobject]@{ UserId = "frozen.user$_"; Value = $_ } }
        $watch = $null
        try {
            # Default settings: the stall rule's 30 s, the breaker's threshold and break.
            $script:Results = @($Rows | ForEach-Object {
                    if ($_.Value -eq 300) { & /usr/bin/kill -STOP -- $group; $watch = [Diagnostics.Stopwatch]::StartNew() }
                    $_
                } | Set-SocialTierScore -Connection $connection -ErrorVariable failed -ErrorAction SilentlyContinue)
            $script:SecondsAfterFreeze = $watch.Elapsed.TotalSeconds
        }
        finally { & /usr/bin/kill -CONT -- $group }
        $script:Failed = @($failed)
        Write-Host ("    frozen-server figures: ended {0:0.0} s after the freeze; {1} results, {2} errors ({3})" -f $SecondsAfterFreeze, $Results.Count, $Failed.Count,
            (($Failed | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | ForEach-Object { "$($_.Count) x $($_.Name)" }) -join ', '))
    }
    AfterAll { if ($script:Frozen) { Stop-TestSandbox $Frozen } }

    It 'ends by itself, every row a result or an error to re-run as it is with its key' {
        if ($NoSigstop) { Set-ItResult -Skipped -Because $NoSigstop; return }
        ($Results.Count + $Failed.Count) | Should -Be 1500
        $Results.Count | Should -BeGreaterOrEqual 295 -Because 'the rows before the freeze were answered'
        $Failed.Count | Should -BeGreaterThan 1000
        @($Failed | Where-Object { $_.Exception.Recovery -ne 'RerunAsIs' }).Count | Should -Be 0
        @($Failed.TargetObject.IdempotencyKey | Where-Object { $_ } | Sort-Object -Unique).Count | Should -Be $Failed.Count
        @($Failed | Where-Object { $_.Exception.CircuitOpen }).Count | Should -BeGreaterThan 1000
        $Failed[-1].Exception.Message | Should -Match 'answered nothing for 30 s .*hung or frozen'
    }

    It 'leaves every total exact once the server resumes and the errors are re-run' {
        if ($NoSigstop) { Set-ItResult -Skipped -Because $NoSigstop; return }
        $resumed = Connect-TestSandbox $Frozen
        $rerun = @($Failed | ForEach-Object TargetObject | Set-SocialTierScore -Connection $resumed -ThrottleLimit 16 -ErrorVariable again)
        $again.Count | Should -Be 0
        $rerun.Count | Should -Be $Failed.Count
        $scores = Get-SocialTierScore -UserId $Rows.UserId -Connection $resumed
        @($scores | Where-Object { $_.Current -ne [long]($_.UserId -replace '^frozen\.user') }).UserId | Should -BeNullOrEmpty
    }
}
