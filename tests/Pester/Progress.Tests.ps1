# Write-Progress of the cmdlets (ProgressMeter, PipelineProgress): a few times a second at most
# during a long pipeline, what is left when the total is known, the closing record, and none
# under $ProgressPreference = SilentlyContinue or when there was nothing to show.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
}

Describe 'Progress' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:Conn = $Box | Connect-SocialOS -PassThru
        $script:RunPipeline = {
            param($Preference)
            $ps = [powershell]::Create()
            $ps.AddScript({
                    param($Manifest, $Connection, $Preference)
                    Import-Module $Manifest
                    $ProgressPreference = $Preference
                    1..400 | ForEach-Object { [pscustomobject]@{ UserId = "progress.$($_ % 10)"; Value = 1 } } |
                        Set-SocialTierScore -Connection $Connection | Measure-Object | Select-Object -ExpandProperty Count
                }).AddArgument($Manifest).AddArgument($Conn).AddArgument($Preference) | Out-Null
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $count = $ps.Invoke()
            $watch.Stop()
            [pscustomobject]@{ Count = $count[0]; Progress = @($ps.Streams.Progress); Errors = @($ps.Streams.Error); Elapsed = $watch.Elapsed }
            $ps.Dispose()
        }
    }
    AfterAll { Stop-TestSandbox $Box }

    It 'reports progress during a long pipeline, a few times a second at most' {
        $run = & $RunPipeline 'Continue'
        $run.Errors | Should -BeNullOrEmpty
        $run.Count | Should -Be 400
        $updates = @($run.Progress | Where-Object RecordType -eq 'Processing')
        # The first finished item reports at once, however fast the run: never zero records.
        $updates.Count | Should -BeGreaterThan 0
        $updates[0].Activity | Should -Be 'Updating tier scores'
        $updates[0].StatusDescription | Should -Be '1 done'
        # The closing record always comes, with the count and the rate, however fast the run.
        @($run.Progress | Where-Object RecordType -eq 'Completed')[0].StatusDescription | Should -Match '^400 done, [\d,.\s]+/s$'
        # Then at most one per 250 ms: a bound from the run's own length, true at any speed.
        $updates.Count | Should -BeLessOrEqual (1 + [math]::Floor($run.Elapsed.TotalMilliseconds / 250))
        @($run.Progress | Where-Object RecordType -eq 'Completed').Count | Should -Be 1
    }

    It 'says what is left when the total is known (ids given as an array)' {
        $ps = [powershell]::Create()
        $ps.AddScript({
                param($Manifest, $Connection)
                Import-Module $Manifest
                $ProgressPreference = 'Continue'
                Set-SocialTierScore -Connection $Connection -UserId 'progress.known' -Value 1 | Out-Null
                Get-SocialTierScore -Connection $Connection -UserId 'progress.known', 'progress.known', 'progress.known' | Out-Null
            }).AddArgument($Manifest).AddArgument($Conn) | Out-Null
        $ps.Invoke() | Out-Null
        $updates = @($ps.Streams.Progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.Activity -eq 'Reading UserId values' })
        $ps.Dispose()
        $updates[0].StatusDescription | Should -Be '1 done, 2 to go'
        $updates[0].PercentComplete | Should -Be 33
    }

    It 'shows none with $ProgressPreference = SilentlyContinue' {
        $run = & $RunPipeline 'SilentlyContinue'
        $run.Count | Should -Be 400
        $run.Progress | Should -BeNullOrEmpty
    }
}

Describe 'Progress of a long pipeline' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:Conn = $Box | Connect-SocialOS -ReturnConnection
        $null = Set-SocialTierScore -Connection $Conn -UserId 'p.1' -Value 1
    }
    AfterAll { Stop-TestSandbox $Box }

    It 'reports the first item at once with what is left, and completes the activity at the end' {
        $run = Invoke-InFreshRunspace 'param($c) Get-SocialTierScore -UserId p.1, p.1, p.1 -Connection $c' @($Conn)
        $run.Output.Count | Should -Be 3
        $first = $run.Progress[0]
        $first.Activity | Should -Be 'Reading UserId values'
        $first.StatusDescription | Should -Be '1 done, 2 to go'
        $first.PercentComplete | Should -Be 33
        $last = $run.Progress[-1]
        $last.RecordType | Should -Be 'Completed'
        $last.ActivityId | Should -Be $first.ActivityId
        $last.StatusDescription | Should -BeLike '3 done*0 to go'
    }

    It 'writes no progress when there was none to show' {
        $run = Invoke-InFreshRunspace 'param($c) Get-SocialLeaderboard -Top 1 -Connection $c' @($Conn)
        $run.Output.Count | Should -Be 1
        $run.Progress | Should -BeNullOrEmpty
    }
}
