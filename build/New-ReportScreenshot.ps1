<#
.SYNOPSIS
    build.ps1 -Task Screenshot runs this in a fresh pwsh: the README's picture of the report.
.DESCRIPTION
    Builds a real series in the staged sandbox: 60 days of seeded history ending three days
    ago, then (reopening the same data file with --now on those days) a day when a campaign
    paid out about ten times the usual, a day when nothing was redeemed, and an ordinary day.
    Exports the 30-day report of that sandbox and photographs it with headless Chromium
    (Debian's chromium package) at a desktop width. Only this task writes the PNG.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [int] $Width = 1280,
    [int] $Height = 1700
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'GiftStudio.psd1')
$chromium = if ($env:GIFTSTUDIO_CHROMIUM) { $env:GIFTSTUDIO_CHROMIUM } else { (Get-Command chromium -ErrorAction SilentlyContinue).Source }
if (-not $chromium) { throw 'Chromium is not installed: apt-get install -y chromium (as root), or set GIFTSTUDIO_CHROMIUM.' }

$work = [IO.Directory]::CreateTempSubdirectory('gs-shot-').FullName
$keyFile = Join-Path $work 'keys.txt'
$keyText = 'sk_demo_' + [guid]::NewGuid().ToString('n')
Set-Content -LiteralPath $keyFile -Value $keyText -NoNewline
$dataPath = Join-Path $work 'demo.db'

function Open-Sandbox([datetime] $Now, [string[]] $Extra = @()) {
    # The sandbox, reopened on the same data file with the same key, its clock at $Now.
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @((Join-Path $ModulePath 'sandbox/GiftStudio.Sandbox.dll'), '--urls', 'http://127.0.0.1:0', '--api-key-file', $keyFile,
            '--data', $dataPath, '--now', $Now.ToString('yyyy-MM-ddTHH:mm:ssZ'), '--parent-pid', $PID) + $Extra) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    if ($process.StandardOutput.ReadLine() -notmatch '^Listening on (http://\S+)$') { throw "The sandbox did not start: $($process.StandardError.ReadToEnd())" }
    [pscustomobject]@{
        Process    = $process
        Connection = Connect-SocialOS -BaseUri "$($Matches[1])/v2" -ApiKey (ConvertTo-SecureString $keyText -AsPlainText -Force) -PassThru
    }
}
function Close-Sandbox($Sandbox) {
    $Sandbox.Process.Kill($true)
    $Sandbox.Process.WaitForExit(30000) | Out-Null
}
function Add-Redemptions($Sandbox, [int] $Count, [int] $Value) {
    1..$Count | ForEach-Object { [pscustomobject]@{ UserId = "demo.user$($_ % 150)"; Value = $Value } } |
        Set-SocialTierScore -Connection $Sandbox.Connection -ThrottleLimit 8 -ErrorAction Stop | Out-Null
}

try {
    $today = [datetime]::UtcNow.Date
    $s = Open-Sandbox $today.AddDays(-4).AddHours(23.99) @('--seed', '200,60')
    Close-Sandbox $s
    $s = Open-Sandbox $today.AddDays(-3).AddHours(12)   # the campaign that paid ten times too much
    Add-Redemptions $s 45 1000
    Close-Sandbox $s
    # Two days ago: nothing at all (the broken shop feed). Yesterday: an ordinary day for its
    # weekday (the seed's weekends are about half as busy).
    $yesterday = $today.AddDays(-1)
    $s = Open-Sandbox $yesterday.AddHours(12)
    Add-Redemptions $s $(if ($yesterday.DayOfWeek -in 'Saturday', 'Sunday') { 22 } else { 45 }) 90
    Close-Sandbox $s
    $s = Open-Sandbox ([datetime]::UtcNow)
    try {
        Add-Redemptions $s 8 90   # today so far
        New-SocialGift -Connection $s.Connection -Name 'Winter Warmers' -Tier silver -Reward 250 -Expires ([datetime]::UtcNow.AddDays(3)) | Out-Null
        New-SocialGift -Connection $s.Connection -Name 'Year-end Platinum Week' -Tier platinum -Reward 1500 -Badge -Expires ([datetime]::UtcNow.AddDays(6)) | Out-Null
        $html = Join-Path $work 'currency-report.html'
        Export-SocialCurrencyReport -Connection $s.Connection -Path $html -Window 30d -Top 8
    }
    finally { Close-Sandbox $s }

    if (-not (Test-Path $html)) { throw "No report at $html" }
    Write-Verbose "Report: $html ($((Get-Item $html).Length) bytes)"
    $url = [uri]::new($html, [UriKind]::Absolute).AbsoluteUri   # file:///...
    $browserProfile = Join-Path $work 'chromium-profile'
    $png = Join-Path $work 'shot.png'
    & $chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking `
        --disable-component-update --disable-sync --hide-scrollbars "--user-data-dir=$browserProfile" "--window-size=$Width,$Height" `
        "--screenshot=$png" $url 2>&1 | Write-Verbose
    if (-not (Test-Path $png)) { throw "Chromium wrote no screenshot (exit code $LASTEXITCODE)." }
    New-Item -ItemType Directory -Force (Split-Path $OutputPath) | Out-Null
    Copy-Item $png $OutputPath -Force
    Write-Host "Screenshot: $OutputPath ($Width x $Height)"
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
