# Retries through the cmdlets: under injected faults they never lose or double a point, and a
# 429 is waited out for its Retry-After. (Ctrl+C during that wait: Cancellation.Tests.ps1.)
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
}

Describe 'Chaos: 1,000 score updates against 20% 503s and 10% drops after commit' {
    BeforeAll {
        # Fixed seed; retries generous enough that success is certain, waits short.
        $script:chaos = Start-TestSandbox -Faults 'seed=20261125,503=0.22,drop=0.14,429=0.02,retry-after=0,only=POST'
        $script:connection = $chaos | Connect-SocialOS -MaxRetries 15 -RetryBaseDelaySec 0.005 -TimeoutSec 10 -PassThru
        $script:rows = 1..1000 | ForEach-Object { [pscustomobject]@{ UserId = 'chaos.user' + ($_ % 50); Value = 1 + ($_ % 9) } }
        $script:output = $rows | Set-SocialTierScore -Connection $connection -Verbose -ErrorVariable chaosErrors 4>&1
        $script:chaosErrors = $chaosErrors
        $script:results = @($output | Where-Object { $_ -is [GiftStudio.SocialTierScore] })
        $script:retryLines = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Retrying *' })
        $script:faults = (Get-SandboxStats $chaos).faults
    }
    AfterAll { Stop-TestSandbox $chaos }

    It 'ends every call successfully' {
        $chaosErrors.Count | Should -Be 0
        $results.Count | Should -Be 1000
    }

    It 'injected at least the promised fractions' {
        $faults.injected_503 / $faults.requests | Should -BeGreaterOrEqual 0.2
        $faults.dropped_after_commit / $faults.requests | Should -BeGreaterOrEqual 0.1
    }

    It 'holds exactly 1,000 ledger events and the exact sum' {
        $audit = Invoke-Sandbox $chaos '/v2/analytics?type=currency&metric=points_awarded&window=2d'
        $audit.summary.total_gifts | Should -Be 1000
        $audit.summary.total_value | Should -Be (($rows | Measure-Object Value -Sum).Sum)
    }

    It "gives every user exactly the expected total" {
        $expected = $rows | Group-Object UserId | ForEach-Object { @{ $_.Name = ($_.Group | Measure-Object Value -Sum).Sum } }
        foreach ($pair in $expected) {
            foreach ($user in $pair.Keys) {
                (Invoke-Sandbox $chaos "/v2/gamification/score/$user").current | Should -Be $pair[$user] -Because $user
            }
        }
    }

    It 'saw one retry for every fault the sandbox injected' {
        $injected = $faults.injected_503 + $faults.injected_429 + $faults.dropped_after_commit
        $retryLines.Count | Should -Be $injected
        $faults.requests | Should -Be (1000 + $injected)
        Write-Host ("    chaos figures: {0} requests, {1} x 503, {2} x 429, {3} drops after commit, {4} retries seen by the client" -f `
            $faults.requests, $faults.injected_503, $faults.injected_429, $faults.dropped_after_commit, $retryLines.Count)
    }
}

Describe 'Throttling' {
    # Injected 429s from a fixed seed, not a real rate limit: which attempt is refused does not
    # depend on how fast the machine sends them.
    It 'waits out a 429 with Retry-After: 2 and then succeeds' {
        # seed=1, 429=0.5: the first POST is refused, the second goes through.
        $box = Start-TestSandbox -Faults 'seed=1,429=0.5,retry-after=2,only=POST'
        try {
            $connection = $box | Connect-SocialOS -PassThru
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $verbose = Set-SocialTierScore -Connection $connection -UserId 'throttle.a' -Value 1 -Verbose 4>&1
            $watch.Stop()
            ($verbose | Where-Object { $_ -is [GiftStudio.SocialTierScore] }).Current | Should -Be 1
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and
                    $_.Message -like 'Retrying POST * in 2.0 s (retry 1 of 3): HTTP 429*' }).Count | Should -Be 1
            # A lower bound only: the wait really happened, whatever the machine's speed.
            $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
            (Get-SandboxStats $box).faults.injected_429 | Should -Be 1
        }
        finally { Stop-TestSandbox $box }
    }
}
