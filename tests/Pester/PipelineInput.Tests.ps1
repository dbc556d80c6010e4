# What the cmdlets take from the pipeline: strings bind to the id parameters, names filter with
# wildcards, the module's output goes back in (also through CSV in any culture), dates in UTC.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-pipeline-').FullName
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Strings, names and objects in the pipeline' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $Box | Connect-SocialOS
        $script:Gifts = @(
            New-SocialGift -Name 'Welcome Pack' -Tier gold -Reward 500 -Badge -Expires ([DateTimeOffset]::UtcNow.AddDays(30))
            New-SocialGift -Name 'welcome back' -Tier silver -Reward 50
            New-SocialGift -Name 'Summer Sale' -Tier bronze -Reward 10 -Expires '2030-06-01T12:00:00+02:00'
        )
    }

    AfterAll {
        Stop-TestSandbox $Box
    }

    It 'binds a piped string to -GiftId: that gift only' {
        $read = @($Gifts[1].GiftId | Get-SocialGift -Verbose 4>&1)
        $requests = @($read | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Where-Object Message -Match '^GET ')
        $requests.Message | Should -Not -Match 'gifts\?' -Because 'a string is an id, not a list request'
        $found = @($read | Where-Object { $_ -is [GiftStudio.SocialGift] })
        $found.Count | Should -Be 1
        $found[0].GiftId | Should -Be $Gifts[1].GiftId
    }

    It 'binds several piped strings, each its own read' {
        ($Gifts[0].GiftId, $Gifts[2].GiftId | Get-SocialGift).GiftId | Should -Be @($Gifts[0].GiftId, $Gifts[2].GiftId)
    }

    It 'binds strings to the id parameter of every Get cmdlet that has one' {
        foreach ($command in Get-Command -Module GiftStudio -Verb Get) {
            $ids = $command.Parameters.Values | Where-Object { $_.Name -match 'Id$' -and $_.ParameterType -eq [string[]] }
            foreach ($parameter in $ids) {
                @($parameter.Attributes | Where-Object { $_ -is [Parameter] -and $_.ValueFromPipeline }).Count |
                    Should -BeGreaterThan 0 -Because "$($command.Name) -$($parameter.Name) takes strings from the pipeline"
            }
        }
        'nobody.here' | Get-SocialTierScore -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].TargetObject | Should -Be 'nobody.here'
    }

    It 'filters the list by name with wildcards, in any case' {
        (Get-SocialGift -Name 'Welc*').Name | Should -Be @('Welcome Pack', 'welcome back')
        (Get-SocialGift -Name '*sale').Name | Should -Be @('Summer Sale')
        (Get-SocialGift -Name 'welcome ?ack' -Tier silver).Name | Should -Be @('welcome back')
        Get-SocialGift -Name 'nothing*' | Should -BeNullOrEmpty
        (Get-SocialGift -Name 'w*' -First 1).Name | Should -Be 'Welcome Pack'
    }

    It 'offers Badge as the table says, and a gift pipes back into New-SocialGift with its badge' {
        (Get-SocialGift -GiftId $Gifts[0].GiftId | Select-Object Name, Badge).Badge | Should -BeTrue
        $copy = Get-SocialGift -GiftId $Gifts[0].GiftId | New-SocialGift
        $copy.GiftId | Should -Not -Be $Gifts[0].GiftId
        $copy.BadgeIncluded | Should -BeTrue
        $copy.Expires | Should -Be $Gifts[0].Expires
    }

    It 'outputs dates as DateTimeOffset in UTC' {
        $Gifts[2].Expires | Should -BeOfType [DateTimeOffset]
        $Gifts[2].Expires.Offset | Should -Be ([TimeSpan]::Zero)
        $Gifts[2].Expires.UtcDateTime | Should -Be ([datetime]::new(2030, 6, 1, 10, 0, 0, [DateTimeKind]::Utc))
        $Gifts[2].CreatedAt | Should -BeOfType [DateTimeOffset]
        (Set-SocialTierScore -UserId 'date.user' -Value 5).UpdatedAt.Offset | Should -Be ([TimeSpan]::Zero)
    }

    It 'round-trips through Export-Csv and Import-Csv in <Culture>' -ForEach @(
        @{ Culture = 'en-US' }, @{ Culture = 'de-DE' }, @{ Culture = 'ja-JP' }, @{ Culture = '' }
    ) {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = [cultureinfo]::new($Culture)
            $path = Join-Path $Work "gifts-$Culture.csv"
            $Gifts | Export-Csv -LiteralPath $path
            $copies = @(Import-Csv -LiteralPath $path | New-SocialGift -ErrorAction Stop)
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
        $copies.Count | Should -Be 3
        for ($i = 0; $i -lt 3; $i++) {
            $copies[$i].Name | Should -Be $Gifts[$i].Name
            $copies[$i].BadgeIncluded | Should -Be $Gifts[$i].BadgeIncluded
            # Export-Csv writes whole seconds: the same instant, never shifted by an offset.
            if ($Gifts[$i].Expires) {
                $copies[$i].Expires | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds($Gifts[$i].Expires.ToUnixTimeSeconds()))
            }
            else {
                $copies[$i].Expires | Should -BeNullOrEmpty
            }
        }
    }

    It 'still refuses a culture date without its offset, or from another culture' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $path = Join-Path $Work 'gifts-de.csv'
            $Gifts[0] | Export-Csv -LiteralPath $path
            [cultureinfo]::CurrentCulture = 'en-US'
            Import-Csv -LiteralPath $path | New-SocialGift -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidExpires,*'
            $failed[0].Exception.Message | Should -Match 'offset'
            New-SocialGift -Name 'x' -Tier gold -Reward 1 -Expires '12/25/2030 7:00:00 PM' -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidExpires,*'
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }
}
