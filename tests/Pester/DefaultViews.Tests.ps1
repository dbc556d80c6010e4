# The default table views of the module's output types (GiftStudio.Format.ps1xml).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Box = Start-TestSandbox
    $Box | Connect-SocialOS
    $script:Gift = New-SocialGift -Name 'View target' -Tier gold -Reward 100
}

AfterAll {
    Stop-TestSandbox $Box
}

Describe 'Default views' {
    BeforeAll {
        Set-SocialTierScore -UserId 'view.user' -Value 300 | Out-Null
        $script:Objects = @{
            SocialGift             = $Gift
            SocialTierScore        = Get-SocialTierScore -UserId 'view.user'
            SocialCurrencyAudit    = Get-SocialCurrencyAudit
            SocialCurrencyAuditDay = Get-SocialCurrencyAudit -Daily | Select-Object -First 1
            SocialLeaderboardEntry = Get-SocialLeaderboard -Top 1
            SocialOSConnection     = Get-SocialOSConnection
            SocialSandbox          = $Box
        }
    }

    It 'renders <Type> with the columns <Columns>' -ForEach @(
        @{ Type = 'SocialGift'; Columns = 'GiftId', 'Name', 'Tier', 'Reward', 'Badge', 'Expires \(UTC\)', 'AppliedBy' }
        @{ Type = 'SocialTierScore'; Columns = 'UserId', 'Previous', 'Current', 'TierName', 'Rank', 'UpdatedAt \(UTC\)', 'AppliedBy' }
        @{ Type = 'SocialCurrencyAudit'; Columns = 'Metric', 'Window', 'From', 'Count', 'Value', 'Recipients', 'TopTier' }
        @{ Type = 'SocialCurrencyAuditDay'; Columns = 'Date', 'Count', 'Value', 'Trend \(count\)', 'Anomaly' }
        @{ Type = 'SocialLeaderboardEntry'; Columns = 'Rank', 'UserId', 'Score', 'TierName' }
        @{ Type = 'SocialOSConnection'; Columns = 'BaseUri', 'KeySource', 'Timeout', 'ConnectedAt \(UTC\)' }
        @{ Type = 'SocialSandbox'; Columns = 'ProcessId', 'BaseUri', 'DataPath' }
    ) {
        $header = ($Objects[$Type] | Out-String -Width 250) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1
        $header | Should -Match ('^\s*' + ($Columns -join '\s+') + '\s*$')
    }
}
