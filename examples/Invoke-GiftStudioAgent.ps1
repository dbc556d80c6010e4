<#
.SYNOPSIS
    The complete GiftStudio agent: create a campaign, redeem it for a user, audit the flow,
    alert on anomalous days and (with -ReportPath) write the HTML report.
.DESCRIPTION
    Creates the "Welcome Pack" gold gift (500 points, badge, expiring 30 days from now),
    redeems it for alice.kred, and audits gifts_redeemed over 7 days, printing what was
    created, the tier change and the audit summary. Uses the current connection (or
    -Connection), so it runs unchanged against the hosted service or a local sandbox:

        Start-SocialSandbox -Seed 200,30 | Connect-SocialOS
        ./examples/Invoke-GiftStudioAgent.ps1
.PARAMETER UserId
    Who receives the gift.
.PARAMETER ReportPath
    Where to write the 30-day HTML currency report (Export-SocialCurrencyReport); none when absent.
.PARAMETER Connection
    A connection from Connect-SocialOS -PassThru; default the current one.
#>
[CmdletBinding()]
param(
    [string] $UserId = 'alice.kred',
    [string] $ReportPath,
    [GiftStudio.PowerShell.SocialOSConnection] $Connection
)

$ErrorActionPreference = 'Stop'
$common = @{}
if ($Connection) { $common.Connection = $Connection }

$gift = New-SocialGift @common -Name 'Welcome Pack' -Tier gold -Reward 500 -Badge -Expires (Get-Date).AddDays(30)
"Created gift  : {0} '{1}' ({2}, {3} points, badge: {4}, expires {5:yyyy-MM-dd HH:mm}Z)" -f `
    $gift.GiftId, $gift.Name, $gift.Tier, $gift.Reward, $gift.BadgeIncluded, $gift.Expires

# The gift pipes into the redemption: GiftId and Reward bind by property name.
$score = $gift | Set-SocialTierScore @common -UserId $UserId
"Tier change   : {0}: {1} -> {2} points, tier {3}, rank {4}" -f `
    $score.UserId, $score.Previous, $score.Current, $score.TierName, $score.Rank

$audit = Get-SocialCurrencyAudit @common -Metric gifts_redeemed -Window 7d
"Audit ({0}, {1}: {2:yyyy-MM-dd} .. {3:yyyy-MM-dd}): {4} gifts redeemed, {5} points, {6} unique recipients, top tier {7}" -f `
    $audit.Metric, $audit.Window, $audit.PeriodStart, $audit.PeriodEnd, $audit.TotalGifts, $audit.TotalValue,
    $audit.UniqueRecipients, ($audit.TopTier ?? 'none')

Get-SocialCurrencyAudit @common -Metric gifts_redeemed -Window 7d -Daily |
    ForEach-Object { "  {0:yyyy-MM-dd ddd}  {1,6} redemptions  {2,9} points" -f $_.Date, $_.Count, $_.Value }

"Leaderboard (top 5 of the tier scores):"
Get-SocialLeaderboard @common -Top 5 |
    ForEach-Object { "  #{0,-3} {1,-22} {2,9} points  {3}" -f $_.Rank, $_.UserId, $_.Score, $_.TierName }
$standing = Get-SocialTierScore @common -UserId $UserId
"Standing      : {0} is #{1} with {2} points ({3})" -f $standing.UserId, $standing.Rank, $standing.Current, $standing.TierName

# The runbook's alert: any day of the last 30 whose count or value is far off the others.
$anomalies = @(Get-SocialCurrencyAudit @common -Window 30d -Daily | Where-Object Anomaly)
"Anomalies     : {0}" -f $(if ($anomalies) { ($anomalies | ForEach-Object { '{0:yyyy-MM-dd} {1} ({2})' -f $_.Date, $_.Anomaly, $_.AnomalyIn }) -join '; ' } else { 'none in the last 30 days' })

if ($ReportPath) {
    $report = Export-SocialCurrencyReport @common -Path $ReportPath -Window 30d -Top 10 -PassThru
    "Report        : {0}" -f $report.FullName
}
