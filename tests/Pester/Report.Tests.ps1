# The currency audit's anomaly flags end to end, on a reproducible series with a known spike
# and a known drop: a seeded history written with --now on a chosen day, then the sandbox
# reopened on later days (same data file, same key) to write the spike, skip a day and
# write a normal one; the report of that series; the table views at 80 columns.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-report-').FullName
    $script:DataPath = Join-Path $Work 'series.db'
    # One key for every reopening: the data belongs to the key's tenant.
    $script:KeyText = 'sk_test_' + [guid]::NewGuid().ToString('n')

    function script:Open-Series([string] $Now, [int[]] $Seed) {
        # The staged sandbox on a free loopback port, its clock starting at $Now.
        $sandbox = Start-TestSandbox -DataPath $DataPath -Key $KeyText -Now $Now -Seed $Seed
        $key = ConvertTo-SecureString $KeyText -AsPlainText -Force
        [pscustomobject]@{
            Sandbox    = $sandbox
            Connection = Connect-SocialOS -BaseUri $sandbox.ApiUri -ApiKey $key -PassThru
        }
    }
    function script:Close-Series($Series) { Stop-TestSandbox $Series.Sandbox }
    function script:Add-Redemptions($Series, [int] $Count) {
        # 100 points each, about the seeded redemptions' average.
        1..$Count | ForEach-Object { [pscustomobject]@{ UserId = "series.user$($_ % 97)"; Value = 100 } } |
            Set-SocialTierScore -Connection $Series.Connection -ThrottleLimit 8 -ErrorAction Stop | Out-Null
    }

    # Day 0, Monday 2026-03-02: 28 days of seeded history (about 60 redemptions a weekday and
    # half that at weekends) ending a minute before midnight, so day 0 is as full as the others.
    $series = Open-Series '2026-03-02T23:59:00Z' -Seed 300, 28
    try {
        $script:QuietDays = @(Get-SocialCurrencyAudit -Connection $series.Connection -Window 28d -Daily)
    }
    finally { Close-Series $series }
    # Day 1, Tuesday: the spike, 500 redemptions. Day 2, Wednesday: nothing at all (the drop).
    $series = Open-Series '2026-03-03T12:00:00Z'
    try { Add-Redemptions $series 500 } finally { Close-Series $series }
    # Day 3, Thursday: an ordinary day.
    $series = Open-Series '2026-03-05T12:00:00Z'
    try { Add-Redemptions $series 60 } finally { Close-Series $series }
    # Day 4, Friday at 01:00: today has (almost) nothing yet, and must not be called a drop.
    $script:Final = Open-Series '2026-03-06T01:00:00Z'
    $script:Days = @(Get-SocialCurrencyAudit -Connection $Final.Connection -Window 30d -Daily)
}

AfterAll {
    if ($Final) { Close-Series $Final }
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Anomaly flags on the daily rows' {
    It 'flags nothing in the quiet seeded history' {
        $QuietDays.Count | Should -Be 28
        @($QuietDays | Where-Object Anomaly) | Should -BeNullOrEmpty
        # ... although it was judged: weekdays and weekend days have expected values.
        @($QuietDays | Where-Object { $null -ne $_.ExpectedCount }).Count | Should -BeGreaterThan 20
    }

    It 'flags exactly the spike and the drop' {
        $flagged = @($Days | Where-Object Anomaly | Sort-Object Date |
            ForEach-Object { '{0:yyyy-MM-dd} {1} {2}' -f $_.Date, $_.Anomaly, $_.AnomalyIn })
        $flagged.Count | Should -Be 2
        $flagged[0] | Should -Be '2026-03-03 High Count, Value'
        # A day of nothing is far off in count; its value, which varies more from day to day
        # (rewards differ by campaign), may or may not be beyond the threshold as well.
        $flagged[1] | Should -Match '^2026-03-04 Low Count(, Value)?$'

        $spike = $Days | Where-Object { $_.Date -eq [datetime]'2026-03-03' }
        $spike.Count | Should -Be 500
        $spike.CountDeviation | Should -BeGreaterThan 5
        $drop = $Days | Where-Object { $_.Date -eq [datetime]'2026-03-04' }
        $drop.Count | Should -Be 0
        $drop.ExpectedCount | Should -BeGreaterThan 30
    }

    It 'does not flag today''s partial row' {
        $today = $Days[0]
        $today.Date | Should -Be ([datetime]'2026-03-06')
        $today.Count | Should -Be 0
        $today.Complete | Should -BeFalse
        $today.Anomaly | Should -BeNullOrEmpty
        $today.CountDeviation | Should -BeNullOrEmpty
    }

    It 'flags more with a lower threshold, and refuses one that is not positive' {
        $loose = @(Get-SocialCurrencyAudit -Connection $Final.Connection -Window 30d -Daily -AnomalyThreshold 1 | Where-Object Anomaly)
        $loose.Count | Should -BeGreaterThan 2
        { Get-SocialCurrencyAudit -Connection $Final.Connection -Daily -AnomalyThreshold 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,GiftStudio.PowerShell.Commands.GetSocialCurrencyAuditCommand'
    }

    It 'shows a bar scaled to the largest day and names the anomalies, within 80 columns' {
        $lines = ($Days | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $lines | Where-Object { $_ -match '^2026-03-03 Tue\s+500\s+50000 #{20}\s+HIGH \(Count\+Value\)$' } | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^2026-03-04 Wed\s+0\s+0\s+LOW \(Count(\+Value)?\)$' } | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^2026-03-06 Fri\s+0\s+0\s+\(partial day\)$' } | Should -Not -BeNullOrEmpty
        # An ordinary weekday: a bar of a few characters for about 60 of 500.
        $lines | Where-Object { $_ -match '^2026-03-05 Thu\s+60\s+6000 ##\s*$' } | Should -Not -BeNullOrEmpty
    }

    It 'shows the summary with every column within 80 columns' {
        $summary = Get-SocialCurrencyAudit -Connection $Final.Connection -Metric points_awarded -Window 30d
        $lines = ($summary | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^Metric\s+Window\s+From\s+Count\s+Value\s+Recipients\s+TopTier$'
        $lines[2] | Should -Match ('^points_awarded\s+30d\s+2026-02-05\s+\d+\s+\d+\s+{0}\s+\w+$' -f $summary.UniqueRecipients)
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}

Describe 'Export-SocialCurrencyReport' {
    It 'writes the report of the series with the anomalies marked on their days' {
        $path = Join-Path $Work 'report.html'
        $file = Export-SocialCurrencyReport -Connection $Final.Connection -Path $path -Window 30d -Top 5 -PassThru
        $file.FullName | Should -Be $path
        $html = Get-Content -Raw -LiteralPath $path
        $html | Should -Match '^<!DOCTYPE html>'
        $html | Should -Match 'data-date="2026-03-03" data-anomaly="High"'
        $html | Should -Match 'data-date="2026-03-04" data-anomaly="Low"'
        # gifts_redeemed (the series written here): exactly the two days, in chart and table.
        $redeemed = [regex]::Match($html, 'id="chart-gifts_redeemed"[\s\S]*?id="chart-points_awarded"').Value
        [regex]::Matches($redeemed, 'data-date="([\d-]+)" data-anomaly="(\w+)"').ForEach({ "$($_.Groups[1].Value) $($_.Groups[2].Value)" }) |
            Should -Be @('2026-03-03 High', '2026-03-04 Low', '2026-03-03 High', '2026-03-04 Low')
        $html | Should -Not -Match '<script'
        $html | Should -Not -Match $KeyText
        ([regex]::Matches($html, '<table class="leaderboard"[\s\S]*?</table>').Value -split '<tr>').Count - 2 | Should -Be 5
    }

    It 'gives the HTML as a string with -AsString' {
        $html = Export-SocialCurrencyReport -Connection $Final.Connection -AsString -Window 14d
        $html | Should -BeOfType [string]
        $html | Should -Match '^<!DOCTYPE html>'
        $html | Should -Match 'window <b>14d</b> \(2026-02-21 to 2026-03-06, UTC days\)'
    }

    It 'compares with the previous window, or says why not' {
        $html = Export-SocialCurrencyReport -Connection $Final.Connection -AsString -Window 7d
        # 7d: 2026-02-28 .. 03-06 (500 + 60 + the seeded weekend and Monday); the previous
        # window is the 7 days before, all seeded.
        $previous = (Get-SocialCurrencyAudit -Connection $Final.Connection -Window 14d -Daily | Select-Object -Skip 7 | Measure-Object Count -Sum).Sum
        $html | Should -Match ('<td[^>]*>Count</td><td[^>]*>[\d,]+</td><td[^>]*>{0:N0}</td><td[^>]*>▲ \+' -f $previous)
        $long = Export-SocialCurrencyReport -Connection $Final.Connection -AsString -Window 200d
        $long | Should -Match 'No comparison with the previous window: it needs 400 days'
    }

    It 'writes nothing and asks nothing with -WhatIf' {
        $path = Join-Path $Work 'whatif.html'
        Export-SocialCurrencyReport -Connection $Final.Connection -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'refuses a malformed window before sending' {
        Export-SocialCurrencyReport -Connection $Final.Connection -AsString -Window 'a week' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidWindow,GiftStudio.PowerShell.Commands.ExportSocialCurrencyReportCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
