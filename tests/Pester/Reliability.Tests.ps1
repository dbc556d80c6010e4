# Reliability through the module: retries under injected faults never lose or double a
# point, throttling is waited out and Ctrl+C ends the wait, idempotency keys make re-runs
# safe, and bad parameter values fail before anything is sent.
BeforeAll {
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force

    function script:Get-PlainKey($Sandbox) { [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password }
    function script:Invoke-Sandbox($Sandbox, [string] $Path) {
        $root = $Sandbox.BaseUri.AbsoluteUri -replace '/v2$', ''
        Invoke-RestMethod "$root$Path" -Headers @{ Authorization = "Bearer $(Get-PlainKey $Sandbox)" }
    }
    function script:Get-SandboxStats($Sandbox) { Invoke-Sandbox $Sandbox '/_sandbox/stats' }
    function script:Get-RequestTotal($Sandbox) {
        $stats = Get-SandboxStats $Sandbox
        ($stats.requests.PSObject.Properties | Where-Object Name -NotLike '*/_sandbox/*' | Measure-Object Value -Sum).Sum
    }
}

Describe 'Chaos: 1,000 score updates against 20% 503s and 10% drops after commit' {
    BeforeAll {
        # Fixed seed; retries generous enough that success is certain, waits short.
        $script:chaos = Start-SocialSandbox -InMemory -Faults 'seed=20261125,503=0.22,drop=0.14,429=0.02,retry-after=0,only=POST'
        $script:connection = $chaos | Connect-SocialOS -MaxRetries 15 -RetryBaseDelaySec 0.005 -TimeoutSec 10 -PassThru
        $script:rows = 1..1000 | ForEach-Object { [pscustomobject]@{ UserId = 'chaos.user' + ($_ % 50); Value = 1 + ($_ % 9) } }
        $script:output = $rows | Set-SocialTierScore -Connection $connection -Verbose -ErrorVariable chaosErrors 4>&1
        $script:chaosErrors = $chaosErrors
        $script:results = @($output | Where-Object { $_ -is [GiftStudio.SocialTierScore] })
        $script:retryLines = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Retrying *' })
        $script:faults = (Get-SandboxStats $chaos).faults
    }
    AfterAll { $chaos | Stop-SocialSandbox }

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
        $box = Start-SocialSandbox -InMemory -Faults 'seed=1,429=0.5,retry-after=2,only=POST'
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
        finally { $box | Stop-SocialSandbox }
    }

    It 'ends the wait when Ctrl+C comes during a 30 s Retry-After: no retry is sent, nothing applied' {
        $box = Start-SocialSandbox -InMemory -Faults 'seed=1,429=1,retry-after=30,only=POST'
        $ps = [powershell]::Create()
        try {
            $connection = $box | Connect-SocialOS -PassThru
            $ps.AddCommand('Import-Module').AddArgument((Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')).AddStatement().
                AddCommand('Set-SocialTierScore').AddParameter('Connection', $connection).AddParameter('UserId', 'throttle.b').
                AddParameter('Value', 1).AddParameter('Verbose', $true) | Out-Null
            $null = $ps.BeginInvoke()
            # Wait for the state (the client is in its backoff), not for a guessed time.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ($ps.Streams.Verbose | Where-Object Message -like 'Retrying POST * in 30.0 s*') -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            @($ps.Streams.Verbose.Message -like 'Retrying POST * in 30.0 s*').Count | Should -Be 1
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # Stop returns once the pipeline has ended. Had the 30 s wait not been cut short, the
            # retry would have gone out first: the sandbox counts exactly one POST, no clock needed.
            (Get-SandboxStats $box).requests.'POST /v2/gamification/score' | Should -Be 1
            { Invoke-Sandbox $box '/v2/gamification/score/throttle.b' } | Should -Throw '*404*'
        }
        finally {
            $ps.Dispose()
            $box | Stop-SocialSandbox
        }
    }
}

Describe 'Idempotency end to end' {
    BeforeAll {
        $script:idem = Start-SocialSandbox -InMemory
        $script:idemConnection = $idem | Connect-SocialOS -PassThru
        $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-idem-').FullName
    }
    AfterAll {
        $idem | Stop-SocialSandbox
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

Describe 'Bad parameter values fail before any request is sent' {
    BeforeAll {
        $script:strict = Start-SocialSandbox -InMemory
        $script:strictConnection = $strict | Connect-SocialOS -PassThru
    }
    AfterAll { $strict | Stop-SocialSandbox }

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
