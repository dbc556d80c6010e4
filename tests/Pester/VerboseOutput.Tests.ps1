# The client's verbose lines, sent from pool threads, written on the pipeline thread (PipelineLog
# over Core's LogPump) with 8 requests in flight: every line, each before its row's result, and
# none when verbose output is off. The pump's own rules are tested in xUnit (LogPumpTests).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
}

Describe 'The client''s lines from pool threads, written on the pipeline thread' {
    BeforeAll {
        # Random delays make later requests finish before earlier ones.
        $script:Slow = Start-TestSandbox -Faults 'seed=14,delay=0-40'
        $script:SlowConn = $Slow | Connect-SocialOS -ReturnConnection
    }
    AfterAll { Stop-TestSandbox $Slow }

    It 'writes every verbose line, each before its row''s result, with 8 in flight and results in input order' {
        $rows = 1..40 | ForEach-Object { [pscustomobject]@{ UserId = "pump.$_"; Value = $_ } }
        # Writing from a pool thread would throw: every line that arrives came through the pump.
        $all = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 -Verbose 4>&1)
        $results = @($all | Where-Object { $_ -is [GiftStudio.SocialTierScore] })
        $results.UserId | Should -Be $rows.UserId
        $lines = @($all | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_.Message } else { "RESULT $($_.UserId)" } })
        foreach ($row in $rows) {
            $user = [regex]::Escape($row.UserId)
            $sent = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match "^POST \S+/gamification/score \[user $user, key \w+\]$" })
            $answered = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match "^POST \S+/gamification/score \[user $user, key \w+\] -> 200 " })
            $result = [array]::IndexOf($lines, "RESULT $($row.UserId)")
            $sent.Count | Should -Be 1 -Because "$($row.UserId) was sent once"
            $answered.Count | Should -Be 1 -Because "$($row.UserId) was answered once"
            $sent[0] | Should -BeLessThan $answered[0] -Because "the line of $($row.UserId)'s request comes before the line of its answer"
            $answered[0] | Should -BeLessThan $result -Because "the lines of $($row.UserId) come before its result"
        }
    }

    It 'writes no line when verbose output is off, and the results are the same' {
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = "quiet.$_"; Value = $_ } }
        $all = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 4>&1)
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
        $all.UserId | Should -Be $rows.UserId
    }
}
