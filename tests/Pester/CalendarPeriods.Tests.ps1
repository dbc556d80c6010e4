# Get-SocialCurrencyAudit and Export-SocialCurrencyReport for calendar periods (-Month,
# -Quarter, -From/-To) as a user meets them: on a seeded sandbox whose today is 2 December
# 2026 (the period sums against the ledger are in CurrencyPeriodTests, xUnit).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-periods-').FullName
    # 10:00 UTC: the sandbox's day stays 2 December however long the run takes.
    $script:Sandbox = Start-TestSandbox -Now '2026-12-02T10:00:00Z' -Seed 300, 120
    $script:Connection = Connect-SocialOS -BaseUri $Sandbox.ApiUri -ApiKey (ConvertTo-SecureString $Sandbox.Key -AsPlainText -Force) -PassThru
    function script:Get-ErrorOf([scriptblock] $Call) {
        $errors = @(& $Call 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | Should -HaveCount 1
        $errors[0]
    }
}

AfterAll {
    if ($Sandbox) { Stop-TestSandbox $Sandbox }
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Get-SocialCurrencyAudit -Month, -Quarter, -From/-To' {
    It 'adds up November from the daily rows, with n/a for what daily rows cannot give' {
        $november = Get-SocialCurrencyAudit -Connection $Connection -Month 2026-11
        $rows = @(Get-SocialCurrencyAudit -Connection $Connection -Window 40d -Daily | Where-Object { $_.Date.Month -eq 11 })
        $rows | Should -HaveCount 30
        $november.TotalGifts | Should -Be ($rows | Measure-Object Count -Sum).Sum
        $november.TotalValue | Should -Be ($rows | Measure-Object Value -Sum).Sum
        $november.PeriodStart | Should -Be ([datetime]'2026-11-01')
        $november.PeriodEnd | Should -Be ([datetime]'2026-11-30')
        $november.Complete | Should -BeTrue
        $november.UniqueRecipients | Should -BeNullOrEmpty
        $november.TopTier | Should -BeNullOrEmpty
        $november.Partial | Should -Be 'UniqueRecipients, TopTier'
        $november.Window | Should -Be '32d'

        $shown = $november | Out-String -Width 80
        $shown | Should -Match 'Recipients\s*:\s*n/a \(calendar period\)'
        $shown | Should -Match 'TopTier\s*:\s*n/a \(calendar period\)'
        $shown | Should -Match 'Period\s*:\s*2026-11 \(2026-11-01 to 2026-11-30, UTC days\)'
        $shown | Should -Not -Match 'Recipients\s*:\s*0'
        # Export-Csv keeps the empty fields empty, with the reason beside them.
        $csv = $november | ConvertTo-Csv | ConvertFrom-Csv
        $csv.UniqueRecipients | Should -Be ''
        $csv.Partial | Should -Be 'UniqueRecipients, TopTier'
    }

    It 'says that a month running into today is not complete' {
        $december = Get-SocialCurrencyAudit -Connection $Connection -Month 2026-12
        $december.Complete | Should -BeFalse
        $december.Days | Should -Be 2
        ($december | Out-String) | Should -Match 'Complete\s*:\s*no: the period runs into today'
    }

    It 'gives a quarter and a range of days; the window summary is unchanged' {
        (Get-SocialCurrencyAudit -Connection $Connection -Quarter 2026q4 -Metric points_awarded).Period | Should -Be '2026Q4'
        $week = Get-SocialCurrencyAudit -Connection $Connection -From 2026-11-23 -To ([datetime]'2026-11-29')
        $week.Days | Should -Be 7
        $window = Get-SocialCurrencyAudit -Connection $Connection -Window 7d
        $window.Period | Should -BeNullOrEmpty
        $window.Partial | Should -BeNullOrEmpty
        $window.UniqueRecipients | Should -BeGreaterThan 0
    }

    It 'writes -Daily rows of the period judged against the weeks before it' {
        $days = @(Get-SocialCurrencyAudit -Connection $Connection -Month 2026-11 -Daily -WarningVariable warned -WarningAction SilentlyContinue)
        $days | Should -HaveCount 30
        $warned | Should -BeNullOrEmpty
        @($days | Where-Object { $null -eq $_.ExpectedCount }) | Should -BeNullOrEmpty
        $days[0].Date | Should -Be ([datetime]'2026-11-30')
    }

    It 'warns when the window cannot reach the weeks before the period' {
        $days = @(Get-SocialCurrencyAudit -Connection $Connection -From 2025-12-05 -To 2025-12-31 -Daily -WarningVariable warned -WarningAction SilentlyContinue)
        $days | Should -HaveCount 27
        "$warned" | Should -Match 'holds 2 days before the period, not 28'
    }

    It 'refuses <Case> with <Id> (<Category>), naming the limit' -ForEach @(
        @{ Case = 'a month more than 365 days back'; Parameters = @{ Month = '2025-11' }; Id = 'PeriodTooFarBack'; Category = 'LimitsExceeded'; Text = "365 days.*2025-12-03 at the earliest" }
        @{ Case = 'a period in the future'; Parameters = @{ Quarter = '2027Q1' }; Id = 'PeriodInFuture'; Category = 'InvalidArgument'; Text = 'after today \(2026-12-02 UTC\)' }
        @{ Case = '-From after -To'; Parameters = @{ From = '2026-11-05'; To = '2026-11-01' }; Id = 'PeriodFromAfterTo'; Category = 'InvalidArgument'; Text = 'From \(2026-11-05\) is after To \(2026-11-01\)' }
        @{ Case = 'a month and a window'; Parameters = @{ Month = '2026-11'; Window = '30d' }; Id = 'ConflictingPeriod'; Category = 'InvalidArgument'; Text = 'not -Window and -Month' }
        @{ Case = 'a month of another form'; Parameters = @{ Month = '11/2026' }; Id = 'InvalidMonth'; Category = 'InvalidArgument'; Text = 'such as 2026-11' }
        @{ Case = 'a quarter of another form'; Parameters = @{ Quarter = '2026Q5' }; Id = 'InvalidQuarter'; Category = 'InvalidArgument'; Text = 'such as 2026Q3' }
        @{ Case = 'a culture-bound day'; Parameters = @{ From = '11/01/2026'; To = '2026-11-02' }; Id = 'InvalidFrom'; Category = 'InvalidArgument'; Text = 'yyyy-MM-dd' }
        @{ Case = '-From without -To'; Parameters = @{ From = '2026-11-01' }; Id = 'MissingTo'; Category = 'InvalidArgument'; Text = 'To is required' }
    ) {
        $record = Get-ErrorOf { Get-SocialCurrencyAudit -Connection $Connection @Parameters }
        $record.FullyQualifiedErrorId | Should -Be "$Id,GiftStudio.PowerShell.Commands.GetSocialCurrencyAuditCommand"
        "$($record.CategoryInfo.Category)" | Should -Be $Category
        $record.Exception.Message | Should -Match $Text
        $record.TargetObject | Should -Not -BeNullOrEmpty
        # The report refuses the same period with the same id.
        if ($Id -ne 'ConflictingPeriod') {
            $report = Get-ErrorOf { Export-SocialCurrencyReport -Connection $Connection -AsString @Parameters }
            $report.FullyQualifiedErrorId | Should -Be "$Id,GiftStudio.PowerShell.Commands.ExportSocialCurrencyReportCommand"
        }
    }
}

Describe 'Export-SocialCurrencyReport for a calendar period' {
    It 'compares November with October, count and value' {
        $html = Export-SocialCurrencyReport -Connection $Connection -Month 2026-11 -AsString
        $october = Get-SocialCurrencyAudit -Connection $Connection -Month 2026-10
        $november = Get-SocialCurrencyAudit -Connection $Connection -Month 2026-11
        $html | Should -Match 'period <b>2026-11</b> \(2026-11-01 to 2026-11-30'
        $html | Should -Match 'Previous 2026-10'
        $html | Should -Match ('{0:N0}</td><td[^>]*>{1:N0}</td>' -f $november.TotalGifts, $october.TotalGifts).Replace(',', '[,]')
        $html | Should -Match 'n/a \(calendar period\)'
        $html | Should -Not -Match 'No comparison'
    }

    It 'says why there is no comparison when one window cannot cover both periods' {
        # The first half of 2026 against the 181 days before it: those start 2025-07-04, beyond 365 days.
        $html = Export-SocialCurrencyReport -Connection $Connection -From 2026-01-01 -To 2026-06-30 -AsString
        $html | Should -Match 'No comparison with 2025-07-04\.\.2025-12-31: .* the API&#39;s longest window is 365 days'
    }
}

Describe 'Tab completion of -Month and -Quarter' {
    It 'offers the last 12 months and the last 4 quarters, newest first' {
        $today = [datetime]::UtcNow
        $line = 'Get-SocialCurrencyAudit -Month '
        $months = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $months | Should -Be (0..11 | ForEach-Object { $today.AddMonths(-$_).ToString('yyyy-MM') })
        $line = 'Export-SocialCurrencyReport -Quarter '
        $quarters = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $quarters | Should -Be (0..3 | ForEach-Object { $d = $today.AddMonths(-3 * $_); '{0}Q{1}' -f $d.Year, ([math]::Floor(($d.Month - 1) / 3) + 1) })
    }
}
