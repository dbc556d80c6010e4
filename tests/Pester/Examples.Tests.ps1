# The example runbooks, run as a scheduler would: a fresh, non-interactive pwsh connected
# through the environment, judged by exit code and the files it writes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Box = Start-TestSandbox
    $script:Environment = @{
        SOCIALOS_API_KEY  = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
        SOCIALOS_BASE_URI = $Box.BaseUri.AbsoluteUri
    }
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-examples-').FullName
    $script:Runbook = Join-Path $PSScriptRoot '../../examples/Import-Redemptions.ps1'
}

AfterAll {
    Stop-TestSandbox $Box
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'examples/Import-Redemptions.ps1' {
    It 'imports the good rows, exports results and failures, and exits 1 when a row failed' {
        $csv = Join-Path $Work 'redemptions.csv'
        'UserId,Value,Action', 'runbook.a,100,', 'runbook.b,12.5,', 'runbook.a,-500,adjustment', 'runbook.c,40,gift_redeemed' | Set-Content $csv
        $results = Join-Path $Work 'results.csv'
        $failures = Join-Path $Work 'failures.csv'
        $script = "Import-Module '$Manifest'; & '$Runbook' -Path '$csv' -ResultPath '$results' -FailurePath '$failures'; exit `$LASTEXITCODE"
        $run = Invoke-ChildPwsh $script $Environment
        $run.ExitCode | Should -Be 1 -Because ($run.Output + $run.Error)
        (Import-Csv $results).UserId | Should -Be @('runbook.a', 'runbook.c')
        $failed = @(Import-Csv $failures)
        $failed.UserId | Should -Be @('runbook.b', 'runbook.a')
        $failed.ErrorId | Should -Be @('InvalidValue', 'ApiRuleViolation')
        # Both are refusals of the row itself: fix first, then send as new (no key to reuse).
        $failed.Recovery | Should -Be @('FixAndSendAsNew', 'FixAndSendAsNew')
        $failed.IdempotencyKey | Should -Be @('', '')
        $failed.Action | Should -Be @('', 'adjustment')
        $run.Output | Should -Match '4 rows: applied now 2, applied before 0, to fix 2, to re-run 0\.'
        # Each failure names its row: the position in the pipeline and the CSV line.
        $failed.Row | Should -Be @('2', '3')
        $failed.CsvLine | Should -Be @('3', '4')
        $failed[0].Message | Should -Match "^Row 2 \(CSV line 3; user 'runbook.b'\): "
    }

    It 'writes a failure file that re-runs safely: each row applied once, a second re-run all replays' {
        $data = Join-Path $Work 'outage.db'
        $key = 'sk_test_' + [guid]::NewGuid().ToString('n')
        $csv = Join-Path $Work 'outage.csv'
        'UserId,Value,Action,GiftId', 'outage.a,100,,', 'outage.b,7,adjustment,', 'outage.a,5,,' | Set-Content $csv
        # The server is down during the first run: every row fails, none was applied.
        $down = Start-TestSandbox -DataPath $data -Key $key
        Stop-TestSandbox $down
        $failures = Join-Path $Work 'outage-failures.csv'
        $script = "Import-Module '$Manifest'; & '$Runbook' -Path '$csv' -ResultPath '$Work/outage-results.csv' -FailurePath '$failures'; exit `$LASTEXITCODE"
        $run = Invoke-ChildPwsh $script @{ SOCIALOS_API_KEY = $key; SOCIALOS_BASE_URI = $down.ApiUri }
        $run.ExitCode | Should -Be 1 -Because ($run.Output + $run.Error)
        $failed = @(Import-Csv $failures)
        $failed.UserId | Should -Be @('outage.a', 'outage.b', 'outage.a')
        $failed.Recovery | Sort-Object -Unique | Should -Be 'RerunAsIs'
        @($failed.IdempotencyKey | Where-Object { $_ } | Sort-Object -Unique).Count | Should -Be 3

        # Back up (same data, same tenant): the failure file is the input of the re-run.
        $up = Start-TestSandbox -DataPath $data -Key $key
        try {
            $environment = @{ SOCIALOS_API_KEY = $key; SOCIALOS_BASE_URI = $up.ApiUri }
            $script = "Import-Module '$Manifest'; & '$Runbook' -Path '$failures' -ResultPath '$Work/rerun-results.csv' -FailurePath '$Work/rerun-failures.csv'; exit `$LASTEXITCODE"
            $rerun = Invoke-ChildPwsh $script $environment
            $rerun.ExitCode | Should -Be 0 -Because ($rerun.Output + $rerun.Error)
            $rerun.Output | Should -Match 'applied now 3, applied before 0, to fix 0, to re-run 0\.'
            $again = Invoke-ChildPwsh $script $environment
            $again.ExitCode | Should -Be 0 -Because ($again.Output + $again.Error)
            $again.Output | Should -Match 'applied now 0, applied before 3, to fix 0, to re-run 0\.'
            (Invoke-RestMethod "$($up.ApiUri)/gamification/score/outage.a" -Headers $up.Headers).current | Should -Be 105
            (Invoke-RestMethod "$($up.ApiUri)/gamification/score/outage.b" -Headers $up.Headers).current | Should -Be 7
        }
        finally { Stop-TestSandbox $up }
    }

    It 'exits 0 when every row applied' {
        $csv = Join-Path $Work 'clean.csv'
        'UserId,Value', 'runbook.d,5', 'runbook.e,6' | Set-Content $csv
        $script = "Import-Module '$Manifest'; & '$Runbook' -Path '$csv' -ResultPath '$Work/clean-results.csv' -FailurePath '$Work/clean-failures.csv'; exit `$LASTEXITCODE"
        $run = Invoke-ChildPwsh $script $Environment
        $run.ExitCode | Should -Be 0 -Because ($run.Output + $run.Error)
        (Import-Csv (Join-Path $Work 'clean-results.csv')).Current | Should -Be @('5', '6')
    }
}

Describe 'examples/Invoke-GiftStudioAgent.ps1' {
    It 'creates, redeems and audits, printing each step' {
        $agent = Join-Path $PSScriptRoot '../../examples/Invoke-GiftStudioAgent.ps1'
        $report = Join-Path $Work 'agent-report.html'
        $run = Invoke-ChildPwsh "Import-Module '$Manifest'; & '$agent' -UserId agent.user -ReportPath '$report'" $Environment
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output | Should -Match "Created gift  : gift_\S+ 'Welcome Pack' \(gold, 500 points, badge: True"
        $run.Output | Should -Match 'Tier change   : agent\.user: 0 -> 500 points, tier gold, rank \d+'
        $run.Output | Should -Match 'Audit \(gifts_redeemed, 7d: .*\): \d+ gifts redeemed'
        $run.Output | Should -Match 'Standing      : agent\.user is #\d+ with 500 points \(gold\)'
        $run.Output | Should -Match 'Anomalies     : '
        $run.Output | Should -Match ('Report        : ' + [regex]::Escape($report))
        Get-Content -Raw $report | Should -Match '^<!DOCTYPE html>'
    }
}

Describe 'The help''s examples on any seeded sandbox' {
    BeforeDiscovery {
        # Every self-contained example: no credentials, prompts, files, connection or sandbox of its own.
        $skip = 'Get-Credential|Read-Host|Import-Csv|Export-|Out-File|Set-Content|Start-SocialSandbox|Stop-SocialSandbox|Connect-SocialOS|Disconnect-SocialOS|\$env:|SOCIALOS_|\./|-Confirm|Invoke-SocialOSRequest|\$gift\b|\$connection\b|\$sandbox\b'
        $script:ExampleCases = foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot '../../docs/help') -Filter '*-*.md') {
            $text = Get-Content -Raw $file.FullName
            foreach ($match in [regex]::Matches($text, '(?s)### (Example \d+[^\n]*)\n+```powershell\n(.*?)\n```')) {
                $code = $match.Groups[2].Value
                if ($code -notmatch $skip) { @{ Name = "$($file.BaseName): $($match.Groups[1].Value)"; Code = $code } }
            }
        }
    }
    BeforeAll {
        $script:Seeded = Start-TestSandbox -Seed 500, 90
        $Seeded | Connect-SocialOS
    }
    AfterAll { Stop-TestSandbox $Seeded }

    It 'runs <Name> without an error' -ForEach $ExampleCases {
        $errors = @(try { & ([scriptblock]::Create($Code)) 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } } catch { $_ })
        @($errors | ForEach-Object { "$_" }) | Should -BeNullOrEmpty -Because $Code
    }
}
