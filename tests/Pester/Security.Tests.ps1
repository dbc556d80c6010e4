# The API key never reaches any stream, output object, error, log or file: every cmdlet runs
# with -Verbose -Debug under Start-Transcript, failures included, and everything captured is
# searched for the key, its base64 and URL-encoded forms and its first eight characters.
BeforeAll {
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-sec-').FullName
    $script:DataPath = Join-Path $Work 'sandbox.db'
    $script:Transcript = Join-Path $Work 'transcript.txt'

    $Error.Clear()   # only this file's errors are searched
    $DebugPreference = 'Continue'   # -Debug must not stop at prompts in this host
    Start-Transcript -LiteralPath $Transcript -IncludeInvocationHeader | Out-Null
    $script:Exercise = {
        # Start-SocialSandbox itself, directly: its output and streams are searched for the key too.
        $sandbox = Start-SocialSandbox -DataPath $DataPath -Verbose -Debug
        $sandbox
        $connection = $sandbox | Connect-SocialOS -PassThru -Verbose -Debug
        $connection
        Get-SocialOSConnection -Verbose -Debug
        $gift = New-SocialGift -Name 'Secret test' -Tier gold -Reward 500 -Badge -Verbose -Debug
        $gift
        New-SocialGift -Name 'Bad' -Tier diamond -Reward 5 -Verbose -Debug
        New-SocialGift -Name 'Server says no' -Tier gold -Reward 5 -Expires '2001-01-01T00:00:00Z' -Verbose -Debug
        $gift | Set-SocialTierScore -UserId 'sec.user' -Verbose -Debug
        Set-SocialTierScore -UserId 'sec.user' -Value 5 -GiftId 'gift_missing' -Verbose -Debug
        Set-SocialTierScore -UserId 'sec.user' -Value -99999 -Action adjustment -Verbose -Debug
        Get-SocialCurrencyAudit -Verbose -Debug
        Get-SocialCurrencyAudit -Daily -Verbose -Debug
        Get-SocialGift -PageSize 1 -Verbose -Debug
        Get-SocialGift -GiftId $gift.GiftId, 'gift_missing' -Verbose -Debug
        Get-SocialTierScore -UserId 'sec.user', 'nobody' -Verbose -Debug
        Get-SocialLeaderboard -Top 5 -Verbose -Debug
        Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 2 } -Paginate -Verbose -Debug
        Invoke-SocialOSRequest -Method POST /gamification/score -Body @{ userId = 'sec.user'; metric = 'tier'; action = 'adjustment'; value = 1 } -OutputType Response -ResponseHeadersVariable secHeaders -Verbose -Debug
        $secHeaders
        Invoke-SocialOSRequest /gamification/gifts/gift_missing -Verbose -Debug
        Invoke-SocialOSRequest 'http://socialos.example.com/v2/gamification/gifts' -Verbose -Debug
        Invoke-SocialOSRequest /gamification/gifts -Headers @{ Authorization = 'Bearer replaced' } -Verbose -Debug
        Export-SocialCurrencyReport -Path (Join-Path $Work 'report.html') -Window 14d -PassThru -Verbose -Debug
        Export-SocialCurrencyReport -AsString -Window 24h -Verbose -Debug
        Export-SocialCurrencyReport -AsString -Window 'fortnight' -Verbose -Debug
        $wrong = ConvertTo-SecureString 'wrong-key-0000' -AsPlainText -Force
        Get-SocialCurrencyAudit -Connection (Connect-SocialOS -BaseUri $sandbox.BaseUri -ApiKey $wrong -PassThru -Verbose -Debug) -Verbose -Debug
        $env:SOCIALOS_BASE_URI = 'http://socialos.example.com/v2'
        try { Connect-SocialOS -ApiKey $sandbox.ApiKey -Verbose -Debug } catch { $_ }
        $env:SOCIALOS_BASE_URI = $null
        Disconnect-SocialOS -Verbose -Debug
        $sandbox | Stop-SocialSandbox -KeepData -Verbose -Debug
        $script:Sandbox = $sandbox
    }
    $script:Captured = & $Exercise *>&1
    Stop-Transcript | Out-Null
    $DebugPreference = 'SilentlyContinue'

    $key = [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password
    $script:Needles = [ordered]@{
        key        = $key
        base64     = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($key))
        urlEncoded = [uri]::EscapeDataString($key)
        first8     = $key.Substring(0, 8)
        bearer64   = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("Bearer $key"))
    }

    function script:Find-Leak([string] $Where, [string] $Text) {
        foreach ($name in $Needles.Keys) {
            if ($Text.Contains($Needles[$name])) { "$Where contains the key's $name form" }
        }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'The API key stays secret' {
    It 'exercised every exported cmdlet, with failures among them' {
        $used = $Exercise.Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true) |
            ForEach-Object { $_.GetCommandName() } | Sort-Object -Unique
        foreach ($name in (Get-Command -Module GiftStudio).Name) { $used | Should -Contain $name }
        @($Captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterOrEqual 5
        @($Captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 10
        @($Captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match 'Authorization: \[redacted\]' }).Count | Should -BeGreaterThan 0
    }

    It 'is in no stream' {
        $text = ($Captured | ForEach-Object { if ($_ -is [System.Management.Automation.InformationalRecord]) { $_.Message } else { $_ | Out-String } }) -join "`n"
        Find-Leak 'the streams' $text | Should -BeNullOrEmpty
    }

    It 'is in no output object serialized to JSON' {
        $json = $Captured | Where-Object { $_ -isnot [System.Management.Automation.InformationalRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] } |
            ForEach-Object { ConvertTo-Json -InputObject $_ -Depth 4 -WarningAction SilentlyContinue }
        Find-Leak 'the output objects' ($json -join "`n") | Should -BeNullOrEmpty
    }

    It 'is in no error record or exception' {
        $errors = @($Error) + @($Captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $text = foreach ($record in $errors) {
            $record | Format-List * -Force | Out-String
            if ($record.Exception) { $record.Exception.ToString(); $record.Exception | Format-List * -Force | Out-String }
        }
        Find-Leak 'the error records' ($text -join "`n") | Should -BeNullOrEmpty
    }

    It 'is in neither the transcript nor the sandbox log' {
        Find-Leak 'the transcript' (Get-Content -Raw $Transcript) | Should -BeNullOrEmpty
        (Get-Content -Raw $Sandbox.LogPath) | Should -Match 'POST /v2/gamification/gifts'
        Find-Leak 'the sandbox log' (Get-Content -Raw $Sandbox.LogPath) | Should -BeNullOrEmpty
    }

    It 'is not in the HTML report' {
        $html = Get-Content -Raw (Join-Path $Work 'report.html')
        $html | Should -Match 'Currency report'
        Find-Leak 'the HTML report' $html | Should -BeNullOrEmpty
    }

    It 'is not in the SQLite files' {
        $files = Get-ChildItem $Work -Filter 'sandbox.db*' | Where-Object Name -ne 'sandbox.db.key'
        $files.Count | Should -BeGreaterThan 0
        foreach ($file in $files) {
            $text = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($file.FullName))
            Find-Leak $file.Name $text | Should -BeNullOrEmpty
        }
    }

    It 'is in one file only: the key file beside the data file, readable by its owner alone' {
        # The data file keeps its key beside it, so that it reopens with its data.
        $Sandbox.KeyPath | Should -Be "$DataPath.key"
        if (-not $IsWindows) { (Get-Item $Sandbox.KeyPath).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        $holding = foreach ($file in Get-ChildItem $Work, (Split-Path $Sandbox.LogPath) -File) {
            $text = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($file.FullName))
            if (Find-Leak $file.Name $text) { $file.FullName }
        }
        $holding | Should -Be @($Sandbox.KeyPath)
    }
}
