@{
    RootModule             = 'GiftStudio.PowerShell.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '4f6c2a8e-9d3b-4e51-a7c2-6b1f0e8d9a34'
    Author                 = 'GiftStudio contributors'
    CompanyName            = 'GiftStudio'
    Copyright              = '(c) 2026 GiftStudio contributors. MIT License.'
    Description            = 'Gift campaigns, tier scores and currency audits on the SocialOS v2 gamification platform, with a local sandbox server for offline runbooks and tests.'
    PowerShellVersion      = '7.6'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @('GiftStudio.Format.ps1xml')
    TypesToProcess         = @('GiftStudio.Types.ps1xml')
    CmdletsToExport        = @(
        'Connect-SocialOS'
        'Disconnect-SocialOS'
        'Get-SocialOSConnection'
        'New-SocialGift'
        'Set-SocialTierScore'
        'Get-SocialCurrencyAudit'
        'Export-SocialCurrencyReport'
        'Get-SocialGift'
        'Get-SocialTierScore'
        'Get-SocialLeaderboard'
        'Start-SocialSandbox'
        'Stop-SocialSandbox'
        'Invoke-SocialOSRequest'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('SocialOS', 'Gamification', 'Gifts', 'Rewards', 'API', 'Sandbox', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/giftstudio/GiftStudio'
            LicenseUri   = 'https://github.com/giftstudio/GiftStudio/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: first release. Gift campaigns, tier scores, currency audits and reads (gifts, scores, leaderboard); retries with idempotency keys; strict culture-proof input; a local sandbox (Start-SocialSandbox); dependency isolation on PowerShell 7. See CHANGELOG.md.'
        }
    }
}
