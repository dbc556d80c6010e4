# Ctrl+C (PowerShell.Stop) through the async bridge: it cancels every request in flight in its
# Retry-After wait, sends nothing more and applies nothing (AsyncBridge, InOrderQueue).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModuleManifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $ModuleManifest -Force
}

Describe 'Ctrl+C with 8 requests in flight' {
    It 'cancels all 8 in their Retry-After wait: no retry is sent, nothing applied, no error' {
        # Every POST gets a 429 with a 30 s Retry-After: the 8 in flight all wait in backoff.
        $box = Start-TestSandbox -Faults 'seed=3,429=1,retry-after=30,only=POST'
        $ps = [powershell]::Create()
        try {
            $connection = $box | Connect-SocialOS -ReturnConnection
            $null = $ps.AddScript("Import-Module '$ModuleManifest'").AddStatement().AddScript({
                    param($c)
                    1..20 | ForEach-Object { [pscustomobject]@{ UserId = "stop.$_"; Value = 1 } } |
                        Set-SocialTierScore -Connection $c -ThrottleLimit 8 -Verbose
                }.ToString()).AddArgument($connection)
            $null = $ps.BeginInvoke()
            # Wait for the state (all 8 in their backoff, their lines written by the waiting
            # pipeline thread), not for a guessed time.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@($ps.Streams.Verbose | Where-Object Message -like 'Retrying POST * in 30.0 s*').Count -lt 8 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            @($ps.Streams.Verbose | Where-Object Message -like 'Retrying POST * in 30.0 s*').Count | Should -Be 8
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # No error per row: only the host's own record that the script was stopped.
            @($ps.Streams.Error | Where-Object FullyQualifiedErrorId -NE 'PipelineStopped') | Should -BeNullOrEmpty
            # Stop returns once the pipeline has ended. Had a 30 s wait not been cut short, its
            # retry would have gone out first: rows 9 to 20 were never sent and no retry went
            # out, so the sandbox counts exactly the 8 first POSTs, no clock needed.
            (Get-SandboxStats $box).requests.'POST /v2/gamification/score' | Should -Be 8
            # Nothing applied: no user of the 20 rows has a score.
            foreach ($n in 1..20) { { Invoke-Sandbox $box "/v2/gamification/score/stop.$n" } | Should -Throw '*404*' }
        }
        finally {
            $ps.Dispose()
            Stop-TestSandbox $box
        }
    }
}
