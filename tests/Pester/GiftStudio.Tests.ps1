# The module as its users meet it: the staged module from out/, a real sandbox from
# Start-SocialSandbox, the cmdlets in pipelines, CSV in and out, and every error path.
BeforeAll {
    $script:ModuleManifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $ModuleManifest -Force
    # Start-SocialSandbox itself, as users start it (a data file in its own temp folder): the
    # first Describe is about the object it returns.
    $script:Sandbox = Start-SocialSandbox -Now '2026-02-20T14:00:00Z'
    $script:Sandbox | Connect-SocialOS
    $script:PlainKey = [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password
    $script:Rest = @{ Headers = @{ Authorization = "Bearer $PlainKey" } }
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-pester-').FullName

    function script:Get-GiftCount {
        (Invoke-RestMethod "$($Sandbox.BaseUri)/gamification/gifts?limit=1000" @Rest).data.Count
    }
    function script:Get-EventCount {
        (Invoke-RestMethod "$($Sandbox.BaseUri)/analytics?type=currency&metric=points_awarded&window=365d" @Rest).summary.total_gifts
    }
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

AfterAll {
    Disconnect-SocialOS
    if ($script:Sandbox) { $script:Sandbox | Stop-SocialSandbox }
    if ($script:Work) { Remove-Item -Recurse -Force $Work -ErrorAction Ignore }
}

Describe 'Start-SocialSandbox and Connect-SocialOS' {
    It 'returns a sandbox object that pipes into Connect-SocialOS and Stop-SocialSandbox' {
        $Sandbox.BaseUri.AbsoluteUri | Should -Match '^http://127\.0\.0\.1:\d+/v2$'
        $Sandbox.ApiKey | Should -BeOfType [securestring]
        (Get-Process -Id $Sandbox.ProcessId).Id | Should -Be $Sandbox.ProcessId
        Test-Path $Sandbox.DataPath | Should -BeTrue
    }

    It 'keeps the key out of the connection object' {
        $connection = Get-SocialOSConnection
        $connection.BaseUri.AbsoluteUri | Should -Be "$($Sandbox.BaseUri)/"
        $connection.KeySource | Should -Be 'Parameter'
        ($connection | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($PlainKey))
        $connection.PSObject.Properties.Name | Should -Not -Contain 'ApiKey'
    }

    It 'stops a second sandbox and frees its process; stopping it again is no error' {
        $second = Start-SocialSandbox -Now ([DateTimeOffset]::new(2026, 2, 20, 15, 0, 0, [TimeSpan]::FromHours(1)))
        (Invoke-RestMethod "$($second.BaseUri.GetLeftPart('Authority'))/health").PSObject.Properties.Name | Should -Not -BeNullOrEmpty
        $second | Stop-SocialSandbox
        { Get-Process -Id $second.ProcessId -ErrorAction Stop } | Should -Throw
        Test-Path $second.DataPath | Should -BeFalse
        $second | Stop-SocialSandbox -ErrorVariable again -Verbose 4>&1 | Should -Match 'already stopped'
        $again.Count | Should -Be 0
    }

    It 'refuses a -Now that is not a date, naming it' {
        { Start-SocialSandbox -InMemory -Now 'tomorrow' } | Should -Throw -ErrorId 'InvalidNow,GiftStudio.PowerShell.Commands.StartSocialSandboxCommand'
    }

    It 'refuses to stop a process it did not start' {
        Stop-SocialSandbox -ProcessId $PID -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'SandboxNotStartedHere,GiftStudio.PowerShell.Commands.StopSocialSandboxCommand'
    }

    It 'refuses a plain http base URI to a remote host' {
        { Connect-SocialOS -BaseUri 'http://socialos.example.com/v2' -ApiKey $Sandbox.ApiKey } |
            Should -Throw -ErrorId 'InsecureTransport,GiftStudio.PowerShell.Commands.ConnectSocialOSCommand'
        (Get-SocialOSConnection).BaseUri.AbsoluteUri | Should -Be "$($Sandbox.BaseUri)/"
    }
}

Describe 'The published example through the cmdlets' {
    It 'creates the Welcome Pack, redeems it by pipe (200 -> 700 = gold) and audits it' {
        Set-SocialTierScore -UserId 'alice.kred' -Value 200 -Action adjustment | Out-Null
        $gift = New-SocialGift -Name 'Welcome Pack' -Tier gold -Reward 500 -Badge -Expires '2026-03-20T00:00:00Z'
        $gift | Should -BeOfType ([GiftStudio.SocialGift])
        $gift.GiftId | Should -Match '^gift_'
        $gift.Tier | Should -Be 'gold'
        $gift.BadgeIncluded | Should -BeTrue
        $gift.Expires.UtcDateTime | Should -Be ([datetime]::new(2026, 3, 20, 0, 0, 0, [DateTimeKind]::Utc))
        $gift.Expires.Offset | Should -Be ([TimeSpan]::Zero)

        $score = $gift | Set-SocialTierScore -UserId 'alice.kred'
        $score | Should -BeOfType ([GiftStudio.SocialTierScore])
        $score.Previous | Should -Be 200
        $score.Current | Should -Be 700
        $score.TierName | Should -Be 'gold'
        $score.Rank | Should -Be 1

        $audit = Get-SocialCurrencyAudit -Metric gifts_redeemed -Window 7d
        $audit | Should -BeOfType ([GiftStudio.SocialCurrencyAudit])
        $audit.TotalGifts | Should -Be 1
        $audit.TotalValue | Should -Be 500
        $audit.UniqueRecipients | Should -Be 1
        $audit.TopTier | Should -Be 'gold'
        $audit.Days | Should -Be 7
        $audit.PeriodEnd | Should -Be ([datetime]::new(2026, 2, 20, 0, 0, 0, [DateTimeKind]::Utc))
        $audit.PeriodStart | Should -Be ([datetime]::new(2026, 2, 14, 0, 0, 0, [DateTimeKind]::Utc))

        $days = @(Get-SocialCurrencyAudit -Window 7d -Daily)
        $days.Count | Should -Be 7
        $days[0].Date | Should -Be ([datetime]::new(2026, 2, 20, 0, 0, 0, [DateTimeKind]::Utc))
        ($days | Measure-Object Value -Sum).Sum | Should -Be $audit.TotalValue
    }

    It 'pins the property names of every output type' {
        [GiftStudio.SocialGift].GetProperties().Name | Should -Be @('GiftId', 'Name', 'Tier', 'Reward', 'BadgeIncluded', 'Expires', 'CreatedAt', 'AppliedBy', 'Replayed')
        [GiftStudio.SocialTierScore].GetProperties().Name | Should -Be @('UserId', 'Metric', 'Previous', 'Current', 'TierName', 'Rank', 'UpdatedAt', 'AppliedBy', 'Replayed')
        [GiftStudio.SocialCurrencyAudit].GetProperties().Name | Should -Be @('Type', 'Metric', 'Window', 'TotalGifts', 'TotalValue', 'UniqueRecipients', 'TopTier', 'PeriodStart', 'PeriodEnd', 'Days', 'Period', 'Complete', 'Partial')
        [GiftStudio.SocialCurrencyAuditDay].GetProperties().Name | Should -Be @('Date', 'Count', 'Value', 'Metric', 'Window', 'Complete', 'ExpectedCount', 'ExpectedValue', 'CountDeviation', 'ValueDeviation', 'Anomaly', 'AnomalyIn', 'ShareOfPeak')
        [GiftStudio.PowerShell.SocialOSConnection].GetProperties().Name | Should -Be @('BaseUri', 'KeySource', 'Timeout', 'MaxRetries', 'CircuitState', 'CircuitBreakerThreshold', 'CircuitBreakerDuration', 'ProxyUri', 'ConnectedAt', 'IsLoopback')
        [GiftStudio.PowerShell.SocialSandbox].GetProperties().Name | Should -Be @('BaseUri', 'ApiKey', 'ProcessId', 'DataPath', 'LogPath', 'KeyPath')
    }

    It 'shows default table views with the columns an admin wants first' {
        $text = New-SocialGift -Name 'Table view' -Tier silver -Reward 10 | Format-Table | Out-String
        $text | Should -Match 'GiftId\s+Name\s+Tier\s+Reward'
    }
}

Describe 'CSV in and out' {
    It 'imports gifts with boolean, empty-cell and ISO date forms' {
        $csv = Join-Path $Work 'gifts.csv'
        @(
            'Name,Tier,Reward,Badge,Expires'
            'Yes badge,Silver,100,yes,2026-03-01'
            'False badge,bronze,20,false,'
            'One badge,GOLD,300,1,2026-03-01T12:00:00Z'
            'Empty badge,platinum,1000,,2026-04-01T08:30:00+02:00'
        ) | Set-Content $csv
        $gifts = @(Import-Csv $csv | New-SocialGift)
        $gifts.Count | Should -Be 4
        $gifts.BadgeIncluded | Should -Be @($true, $false, $true, $false)
        $gifts.Tier | Should -Be @('silver', 'bronze', 'gold', 'platinum')
        $gifts[0].Expires.UtcDateTime | Should -Be ([datetime]::new(2026, 3, 1, 0, 0, 0, [DateTimeKind]::Local).ToUniversalTime())
        $gifts[1].Expires | Should -BeNullOrEmpty
        $gifts[2].Expires.UtcDateTime | Should -Be ([datetime]::new(2026, 3, 1, 12, 0, 0, [DateTimeKind]::Utc))
        $gifts[3].Expires.UtcDateTime | Should -Be ([datetime]::new(2026, 4, 1, 6, 30, 0, [DateTimeKind]::Utc))
    }

    It 'writes one error per bad row and goes on with the good ones' {
        $before = Get-GiftCount
        $rows = @(
            [pscustomobject]@{ Name = 'Good 1'; Tier = 'bronze'; Reward = '5'; Badge = 'no' }
            [pscustomobject]@{ Name = 'Bad reward'; Tier = 'bronze'; Reward = '501.5'; Badge = 'no' }
            [pscustomobject]@{ Name = 'Bad tier'; Tier = 'diamond'; Reward = '5'; Badge = 'no' }
            [pscustomobject]@{ Name = 'Bad badge'; Tier = 'bronze'; Reward = '5'; Badge = 'maybe' }
            [pscustomobject]@{ Name = 'Good 2'; Tier = 'bronze'; Reward = '6'; Badge = 'true' }
        )
        $created = @($rows | New-SocialGift -ErrorVariable errs -ErrorAction SilentlyContinue)
        $created.Name | Should -Be @('Good 1', 'Good 2')
        $errs.Count | Should -Be 3
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidReward,GiftStudio.PowerShell.Commands.NewSocialGiftCommand'
        $errs[0].TargetObject.Name | Should -Be 'Bad reward'
        $errs[1].FullyQualifiedErrorId | Should -Be 'InvalidTier,GiftStudio.PowerShell.Commands.NewSocialGiftCommand'
        $errs[2].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,GiftStudio.PowerShell.Commands.NewSocialGiftCommand'
        (Get-GiftCount) | Should -Be ($before + 2)
    }

    It 'imports redemptions and exports scores and audits with clean columns' {
        $csv = Join-Path $Work 'redemptions.csv'
        @('UserId,Value,Action', 'csv.ann,100,', 'csv.bob,300,gift_redeemed', 'csv.ann,50,adjustment') | Set-Content $csv
        $scores = @(Import-Csv $csv | Set-SocialTierScore)
        $scores.Current | Should -Be @(100, 300, 150)

        $out = Join-Path $Work 'scores.csv'
        $scores | Export-Csv $out -NoTypeInformation
        $back = Import-Csv $out
        $back[0].PSObject.Properties.Name | Should -Be @('UserId', 'Metric', 'Previous', 'Current', 'TierName', 'Rank', 'UpdatedAt', 'AppliedBy', 'Replayed')

        $auditCsv = Join-Path $Work 'audit.csv'
        Get-SocialCurrencyAudit -Metric points_awarded -Window 30d | Export-Csv $auditCsv -NoTypeInformation
        $summary = @(Import-Csv $auditCsv)
        $summary.Count | Should -Be 1
        $summary[0].PSObject.Properties.Name | Should -Be @('Type', 'Metric', 'Window', 'TotalGifts', 'TotalValue', 'UniqueRecipients', 'TopTier', 'PeriodStart', 'PeriodEnd', 'Days', 'Period', 'Complete', 'Partial')
        (Get-Content $auditCsv -Raw) | Should -Not -Match 'System\.'

        $dailyCsv = Join-Path $Work 'daily.csv'
        Get-SocialCurrencyAudit -Metric points_awarded -Window 30d -Daily | Export-Csv $dailyCsv -NoTypeInformation
        $daily = @(Import-Csv $dailyCsv)
        $daily.Count | Should -Be 30
        $daily[0].PSObject.Properties.Name | Should -Be @('Date', 'Count', 'Value', 'Metric', 'Window', 'Complete', 'ExpectedCount', 'ExpectedValue', 'CountDeviation', 'ValueDeviation', 'Anomaly', 'AnomalyIn', 'ShareOfPeak')
        ($daily | Measure-Object { [long] $_.Value } -Sum).Sum | Should -Be ([long] $summary[0].TotalValue)
    }
}

Describe '-WhatIf' {
    It 'sends nothing for New-SocialGift and Set-SocialTierScore' {
        $gifts = Get-GiftCount
        $events = Get-EventCount
        New-SocialGift -Name 'Never' -Tier gold -Reward 1 -WhatIf | Should -BeNullOrEmpty
        Set-SocialTierScore -UserId 'whatif.user' -Value 5 -WhatIf | Should -BeNullOrEmpty
        (Get-GiftCount) | Should -Be $gifts
        (Get-EventCount) | Should -Be $events
    }
}

Describe 'Errors' {
    It 'names a bad tier before sending anything' {
        $before = Get-GiftCount
        { New-SocialGift -Name 'x' -Tier diamond -Reward 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidTier,GiftStudio.PowerShell.Commands.NewSocialGiftCommand'
        (Get-GiftCount) | Should -Be $before
    }

    It 'rejects rewards PowerShell would round or reinterpret: <Reward>' -ForEach @(
        @{ Reward = '501.5' }, @{ Reward = '0x1F4' }, @{ Reward = '1,5' }, @{ Reward = '5e2' }, @{ Reward = 'lots' }
    ) {
        New-SocialGift -Name 'x' -Tier gold -Reward $Reward -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidReward,GiftStudio.PowerShell.Commands.NewSocialGiftCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match ([regex]::Escape("'$Reward'"))
    }

    It 'maps a wrong key to ApiUnauthorized with the request id' {
        $wrong = ConvertTo-SecureString 'not-the-key' -AsPlainText -Force
        $connection = Connect-SocialOS -BaseUri $Sandbox.BaseUri -ApiKey $wrong -PassThru
        try {
            Get-SocialCurrencyAudit -Connection $connection -ErrorVariable err -ErrorAction SilentlyContinue
        }
        finally {
            $Sandbox | Connect-SocialOS
        }
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiUnauthorized,GiftStudio.PowerShell.Commands.GetSocialCurrencyAuditCommand'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err[0].Exception.StatusCode | Should -Be 401
        $err[0].Exception.RequestId | Should -Match '^req_'
        $err[0].Exception.Message | Should -Match $err[0].Exception.RequestId
    }

    It 'maps an unknown gift id to ApiNotFound with the input as target' {
        $row = [pscustomobject]@{ UserId = 'nf.user'; Value = '10'; GiftId = 'gift_doesnotexist' }
        $row | Set-SocialTierScore -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiNotFound,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject.GiftId | Should -Be 'gift_doesnotexist'
        $err[0].Exception.StatusCode | Should -Be 404
    }

    It 'carries the server detail and request id of a validation error' {
        # A gift id's form is the server's to judge (the module checks only the contract's per-field table).
        Set-SocialTierScore -UserId 'server.rules' -Value 5 -GiftId 'not a gift id' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ApiValidationFailed,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        $err[0].Exception.Errors.Keys | Should -Contain 'giftId'
        $err[0].Exception.Message | Should -Match 'giftId must be'
        $err[0].Exception.Message | Should -Match 'request id req_[0-9a-f]+'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'giftId'
    }

    It 'stops at the first failure under -ErrorAction Stop' {
        $rows = @(
            [pscustomobject]@{ UserId = 'stop.a'; Value = '1' }
            [pscustomobject]@{ UserId = 'stop.b'; Value = 'x' }
            [pscustomobject]@{ UserId = 'stop.c'; Value = '1' }
        )
        { $rows | Set-SocialTierScore -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidValue,GiftStudio.PowerShell.Commands.SetSocialTierScoreCommand'
        { Invoke-RestMethod "$($Sandbox.BaseUri)/gamification/score/stop.c" @Rest } | Should -Throw '*404*'
    }

    It 'ends quietly under Select-Object -First 1' {
        $rows = 1..8 | ForEach-Object { [pscustomobject]@{ UserId = "first.$_"; Value = '1' } }
        $out = @($rows | Set-SocialTierScore -ThrottleLimit 4 | Select-Object -First 1)
        $out.Count | Should -Be 1
        # Rows 2-4 may have been in flight; nothing past the throttle limit was sent.
        foreach ($n in 5..8) { { Invoke-RestMethod "$($Sandbox.BaseUri)/gamification/score/first.$n" @Rest } | Should -Throw '*404*' }
    }
}

Describe 'Runbooks in a child pwsh' {
    It 'connects from SOCIALOS_API_KEY and SOCIALOS_BASE_URI with no prompt' {
        $script = "Import-Module '$ModuleManifest'; `$s = Set-SocialTierScore -UserId env.user -Value 42; `$s.Current; (Get-SocialOSConnection).KeySource"
        $result = Invoke-ChildPwsh $script @{ SOCIALOS_API_KEY = $PlainKey; SOCIALOS_BASE_URI = $Sandbox.BaseUri.AbsoluteUri }
        $result.ExitCode | Should -Be 0 -Because $result.Error
        ($result.Output -split "`n").Trim() | Should -Contain '42'
        ($result.Output -split "`n").Trim() | Should -Contain 'Environment'
    }

    It 'fails clearly, without prompting, when no key is anywhere' {
        $script = "Import-Module '$ModuleManifest'; try { Connect-SocialOS -BaseUri '$($Sandbox.BaseUri)' } catch { `$_.FullyQualifiedErrorId; exit 3 }"
        $result = Invoke-ChildPwsh $script @{ SOCIALOS_API_KEY = '' }
        $result.ExitCode | Should -Be 3
        $result.Output.Trim() | Should -Be 'NoApiKey,GiftStudio.PowerShell.Commands.ConnectSocialOSCommand'
    }

    It 'round-trips CSV identically under de-DE and a non-UTC time zone' {
        $csv = Join-Path $Work 'culture.csv'
        @('Name,Tier,Reward,Badge,Expires', 'Kultur,SILVER,1500,yes,2026-03-01T10:00:00', 'Zeit,Gold,250,no,2026-03-01T10:00:00Z') | Set-Content $csv
        $out = Join-Path $Work 'culture-out.csv'
        $script = @"
[cultureinfo]::CurrentCulture = 'de-DE'; [cultureinfo]::CurrentUICulture = 'de-DE'
Import-Module '$ModuleManifest'
`$gifts = Import-Csv '$csv' | New-SocialGift
`$gifts | Export-Csv '$out' -NoTypeInformation
[TimeZoneInfo]::Local.Id
"@
        $result = Invoke-ChildPwsh $script @{ SOCIALOS_API_KEY = $PlainKey; SOCIALOS_BASE_URI = $Sandbox.BaseUri.AbsoluteUri; TZ = 'Europe/Berlin' }
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $result.Output.Trim() | Should -Be 'Europe/Berlin'
        $gifts = @(Import-Csv $out)
        $gifts.Reward | Should -Be @('1500', '250')
        $gifts.Tier | Should -Be @('silver', 'gold')
        # 10:00 local in Berlin (UTC+1 in March) is 09:00 UTC; the second is UTC already.
        $raw = (Invoke-WebRequest "$($Sandbox.BaseUri)/gamification/gifts/$($gifts[0].GiftId)" @Rest).Content
        $raw | Should -Match '"expires":"2026-03-01T09:00:00Z"'
        $raw = (Invoke-WebRequest "$($Sandbox.BaseUri)/gamification/gifts/$($gifts[1].GiftId)" @Rest).Content
        $raw | Should -Match '"expires":"2026-03-01T10:00:00Z"'
    }
}
