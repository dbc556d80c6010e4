# Reading the state back against a seeded sandbox: streaming gift pages, -First/-Skip,
# scores and the leaderboard, not-found errors, and a seeded audit that adds up.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Seeded = Start-TestSandbox -Seed 60, 30
    $script:Conn = $Seeded | Connect-SocialOS -PassThru
    $PSDefaultParameterValues['*-Social*:Connection'] = $Conn
    # More gifts than the seed's twelve campaigns, so pages have something to cross.
    1..25 | ForEach-Object { New-SocialGift -Name "Paging $_" -Tier bronze -Reward $_ } | Out-Null

    $script:Key = [System.Net.NetworkCredential]::new('', $Seeded.ApiKey).Password
    $script:Root = $Seeded.BaseUri.AbsoluteUri -replace '/v2$', ''
    function script:Get-ListRequestCount {
        $stats = Invoke-RestMethod "$Root/_sandbox/stats" -Headers @{ Authorization = "Bearer $Key" }
        [int] $stats.requests.'GET /v2/gamification/gifts'
    }
    $script:AllIds = (Invoke-RestMethod "$($Seeded.BaseUri)/gamification/gifts?limit=1000" -Headers @{ Authorization = "Bearer $Key" }).data.gift_id
}

AfterAll {
    $PSDefaultParameterValues.Remove('*-Social*:Connection')
    Stop-TestSandbox $Seeded
}

Describe 'Get-SocialGift' {
    It 'returns every gift exactly once with page size <PageSize>' -ForEach @(
        @{ PageSize = 1 }, @{ PageSize = 7 }, @{ PageSize = 37 }, @{ PageSize = 1000 }
    ) {
        $AllIds.Count | Should -Be 37
        $ids = (Get-SocialGift -PageSize $PageSize).GiftId
        $ids | Should -Be $AllIds
        ($ids | Sort-Object -Unique).Count | Should -Be $AllIds.Count
    }

    # -Skip below is Get-SocialGift's paging parameter (SupportsPaging), not a skipped test.
    It 'agrees with the full list under -First and -Skip' {
        (Get-SocialGift -First 10 -PageSize 4).GiftId | Should -Be $AllIds[0..9]
        (Get-SocialGift -Skip 5 -First 10 -PageSize 4).GiftId | Should -Be $AllIds[5..14]
        (Get-SocialGift -Skip 30 -PageSize 8).GiftId | Should -Be $AllIds[30..36]
        @(Get-SocialGift -Skip 40).Count | Should -Be 0
    }

    It 'makes exactly one request for Select-Object -First 1, without an error' {
        $before = Get-ListRequestCount
        $first = Get-SocialGift -PageSize 5 -ErrorVariable err | Select-Object -First 1
        $first.GiftId | Should -Be $AllIds[0]
        $err.Count | Should -Be 0
        (Get-ListRequestCount) | Should -Be ($before + 1)
    }

    It 'writes a page before it asks for the next' {
        $before = Get-ListRequestCount
        @(Get-SocialGift -PageSize 5 | Select-Object -First 6).Count | Should -Be 6
        (Get-ListRequestCount) | Should -Be ($before + 2)
    }

    It 'filters by tier and activity' {
        $bronze = Get-SocialGift -Tier BRONZE
        $bronze.Tier | Sort-Object -Unique | Should -Be 'bronze'
        (Get-SocialGift -Tier gold).Tier | Sort-Object -Unique | Should -Be 'gold'
        $active = Get-SocialGift -Active
        $active | Where-Object { $_.Expires -and $_.Expires -le [datetime]::UtcNow } | Should -BeNullOrEmpty
        $active.Count | Should -BeLessThan $AllIds.Count
        (Get-SocialGift).Tier | Sort-Object -Unique | Should -Be @('bronze', 'gold', 'platinum', 'silver')
    }

    It 'reads gifts by id, from the pipeline too' {
        $some = $AllIds[3, 4]
        (Get-SocialGift -GiftId $some).GiftId | Should -Be $some
        ($some | ForEach-Object { [pscustomobject]@{ GiftId = $_ } } | Get-SocialGift).GiftId | Should -Be $some
    }

    It 'reports an unknown gift id as ApiNotFound and goes on' {
        $out = @(Get-SocialGift -GiftId 'gift_missing00', $AllIds[0] -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.GiftId | Should -Be $AllIds[0]
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiNotFound,GiftStudio.PowerShell.Commands.GetSocialGiftCommand'
        $err[0].TargetObject | Should -Be 'gift_missing00'
    }
}

Describe 'Get-SocialTierScore and Get-SocialLeaderboard' {
    BeforeAll {
        # Ties at the top: two users with the same, highest score.
        $top = (Get-SocialLeaderboard -Top 1).Score
        Set-SocialTierScore -UserId 'tie.one' -Value ($top + 1000) -Action adjustment | Out-Null
        Set-SocialTierScore -UserId 'tie.two' -Value ($top + 1000) -Action adjustment | Out-Null
    }

    It 'reads a score without changing it' {
        $before = Get-SocialTierScore -UserId 'alice.kred'
        $before.Current | Should -Be 200
        $before.Previous | Should -Be $before.Current
        (Get-SocialTierScore -UserId 'alice.kred').Current | Should -Be 200
    }

    It 'takes user ids from Import-Csv' {
        $csv = (New-TemporaryFile).FullName
        'UserId', 'alice.kred', 'tie.one' | Set-Content $csv
        (Import-Csv $csv | Get-SocialTierScore).UserId | Should -Be @('alice.kred', 'tie.one')
        Remove-Item $csv
    }

    It 'reports an unknown user as ApiNotFound for that item only' {
        $out = @('nobody.here', 'alice.kred' | Get-SocialTierScore -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.UserId | Should -Be 'alice.kred'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiNotFound,GiftStudio.PowerShell.Commands.GetSocialTierScoreCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'nobody\.here'
    }

    It 'orders the leaderboard by score, ties sharing a rank, matching scores read one by one' {
        $board = @(Get-SocialLeaderboard -Top 25)
        $board.Count | Should -Be 25
        $board[0].Rank | Should -Be 1
        $board[1].Rank | Should -Be 1
        $board[2].Rank | Should -Be 3
        $board[0..1].UserId | Sort-Object | Should -Be @('tie.one', 'tie.two')
        for ($i = 0; $i -lt $board.Count; $i++) {
            $single = Get-SocialTierScore -UserId $board[$i].UserId
            $single.Current | Should -Be $board[$i].Score
            $single.Rank | Should -Be $board[$i].Rank
            $single.TierName | Should -Be $board[$i].TierName
            if ($i -gt 0) {
                $board[$i].Score | Should -BeLessOrEqual $board[$i - 1].Score
                $expected = if ($board[$i].Score -eq $board[$i - 1].Score) { $board[$i - 1].Rank } else { $i + 1 }
                $board[$i].Rank | Should -Be $expected
            }
        }
    }
}

Describe 'A seeded history' {
    It 'audits over 30 days to the totals of the score data' {
        # Created after the tie users above? No: this Describe reads a fresh seeded sandbox.
        $fresh = Start-TestSandbox -Seed 40, 30
        try {
            $c = $fresh | Connect-SocialOS -PassThru
            $board = @(Get-SocialLeaderboard -Top 1000 -Connection $c)
            $awarded = Get-SocialCurrencyAudit -Metric points_awarded -Window 30d -Connection $c
            $redeemed = Get-SocialCurrencyAudit -Metric gifts_redeemed -Window 30d -Connection $c
            # Every seeded change is positive and inside 30 days: the scores add up to it.
            ($board | Measure-Object Score -Sum).Sum | Should -Be $awarded.TotalValue
            $awarded.UniqueRecipients | Should -Be $board.Count
            $redeemed.TotalGifts | Should -BeGreaterThan 0
            $redeemed.TotalValue | Should -BeLessThan $awarded.TotalValue
            $days = @(Get-SocialCurrencyAudit -Metric gifts_redeemed -Window 30d -Daily -Connection $c)
            $days.Count | Should -Be 30
            ($days | Measure-Object Count -Sum).Sum | Should -Be $redeemed.TotalGifts
            ($days | Measure-Object Value -Sum).Sum | Should -Be $redeemed.TotalValue
            # The weekly rhythm: weekdays are busier than weekends on average.
            $weekend = $days | Where-Object { $_.Date.DayOfWeek -in 'Saturday', 'Sunday' } | Measure-Object Count -Average
            $weekday = $days | Where-Object { $_.Date.DayOfWeek -notin 'Saturday', 'Sunday' -and $_.Date -lt $days[0].Date } | Measure-Object Count -Average
            $weekday.Average | Should -BeGreaterThan $weekend.Average
            $gifts = Get-SocialGift -Connection $c
            $gifts.Tier | Sort-Object -Unique | Should -Be @('bronze', 'gold', 'platinum', 'silver')
            $redeemed.TopTier | Should -BeIn @('bronze', 'silver', 'gold', 'platinum')
        }
        finally {
            Stop-TestSandbox $fresh
        }
    }
}
