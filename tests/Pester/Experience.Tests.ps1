# At home in PowerShell: completion, progress, -WhatIf and $WhatIfPreference, default views,
# proxies, and the manifest.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSandbox.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Box = Start-SocialSandbox -InMemory -Now '2026-02-20T14:00:00Z'
    $script:Conn = $Box | Connect-SocialOS -PassThru
    $script:Gift = New-SocialGift -Name 'Completion target' -Tier gold -Reward 100
    $script:Key = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
    function script:Get-Completions([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
    function script:Get-RequestTotal {
        $stats = Invoke-RestMethod ($Box.BaseUri.AbsoluteUri -replace '/v2$', '/_sandbox/stats') -Headers @{ Authorization = "Bearer $Key" }
        ($stats.requests.PSObject.Properties | Where-Object Name -NotLike '*/_sandbox/*' | Measure-Object Value -Sum).Sum
    }
}

AfterAll {
    $Box | Stop-SocialSandbox
}

Describe 'Argument completers' {
    It 'completes -Tier' { Get-Completions 'New-SocialGift -Tier g' | Should -Be @('gold') }
    It 'completes -Tier of Get-SocialGift' { Get-Completions 'Get-SocialGift -Tier ' | Should -Be @('bronze', 'silver', 'gold', 'platinum') }
    It 'completes -Window' { Get-Completions 'Get-SocialCurrencyAudit -Window 3' | Should -Be @('30d', '365d') }
    It 'completes -Metric' { Get-Completions 'Get-SocialCurrencyAudit -Metric p' | Should -Be @('points_awarded') }
    It 'completes -Action' { Get-Completions 'Set-SocialTierScore -Action a' | Should -Be @('adjustment') }
    It 'completes -GiftId from the gift list' {
        Get-Completions "Get-SocialGift -GiftId $($Gift.GiftId.Substring(0, 8))" | Should -Contain $Gift.GiftId
        Get-Completions 'Set-SocialTierScore -GiftId gift_' | Should -Contain $Gift.GiftId
    }

    It 'returns within its timeout, with nothing, when the server does not answer' {
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $port = $silent.LocalEndpoint.Port
            $dead = Connect-SocialOS -BaseUri "http://127.0.0.1:$port/v2" -ApiKey $Box.ApiKey -PassThru
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $result = Get-Completions "Get-SocialGift -Connection `$dead -GiftId gift_"
            $watch.Stop()
            $result | Should -BeNullOrEmpty
            # The completer gives up after 1.5 s: the prompt is never held for long.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
        }
        finally {
            $silent.Stop()
            $Box | Connect-SocialOS
        }
    }
}

Describe 'Tab completion by name at a real prompt (tmux, PSReadLine)' {
    BeforeAll {
        # A real terminal needs tmux (.ci/run installs it); without it these tests say so and skip.
        $script:NoTmux = if (-not $IsLinux -or -not (Get-Command tmux -ErrorAction Ignore)) { 'tmux drives the real prompt here: install it (apt-get install tmux); these tests run on Linux' }
        # Two gifts whose names start alike: their ids share only "gift_".
        $script:Welcome = @('Welcome Alpha', 'Welcome Beta' | ForEach-Object { New-SocialGift -Name $_ -Tier bronze -Reward 5 })
        $script:Pwsh = Join-Path $PSHOME 'pwsh'
        function script:Get-Screen([string] $Session) { (& tmux capture-pane -p -t $Session) -join "`n" }
        function script:Wait-Screen([string] $Session, [string] $Pattern) {
            # Polls the screen, with a generous limit for a loaded machine; no fixed sleep decides anything.
            $watch = [Diagnostics.Stopwatch]::StartNew()
            while ($watch.Elapsed.TotalSeconds -lt 60) {
                $screen = Get-Screen $Session
                if ($screen -match $Pattern) { return $screen }
                Start-Sleep -Milliseconds 100
            }
            throw "The screen never matched '$Pattern':`n$(Get-Screen $Session)"
        }
        function script:Start-Prompt([string] $Mode) {
            $session = 'gs-tab-' + [guid]::NewGuid().ToString('n')
            # The key goes through the environment, never onto the screen.
            & tmux new-session -d -s $session -x 200 -y 40 -e "SOCIALOS_API_KEY=$Key" -e "SOCIALOS_BASE_URI=$($Box.BaseUri.AbsoluteUri)" `
                -e "GIFTSTUDIO_TEST_MODULE=$env:GIFTSTUDIO_TEST_MODULE" "$Pwsh -NoProfile -NoLogo"
            Wait-Screen $session 'PS [^\n]*>\s*$' | Out-Null
            & tmux send-keys -t $session "Set-PSReadLineOption -EditMode $Mode; Import-Module `$env:GIFTSTUDIO_TEST_MODULE/GiftStudio.psd1; Connect-SocialOS; Clear-Host" Enter
            Wait-Screen $session '^PS [^\n]*>\s*$' | Out-Null
            $session
        }
    }

    It 'keeps the typed name in Emacs mode (the Linux default) and lists the gifts that match' {
        if ($NoTmux) { Set-ItResult -Skipped -Because $NoTmux; return }
        $session = Start-Prompt Emacs
        try {
            & tmux send-keys -t $session 'Get-SocialGift -GiftId Welc' Tab
            $screen = Wait-Screen $session ([regex]::Escape($Welcome[1].GiftId))
            ($screen -split "`n")[0] | Should -Match 'Get-SocialGift -GiftId Welc\s*$'
            $screen | Should -Match ([regex]::Escape($Welcome[0].GiftId))
        }
        finally { & tmux kill-session -t $session }
    }

    It 'cycles through the matching ids in Windows mode and comes back to the typed name' {
        if ($NoTmux) { Set-ItResult -Skipped -Because $NoTmux; return }
        $session = Start-Prompt Windows
        try {
            & tmux send-keys -t $session 'Get-SocialGift -GiftId Welc' Tab
            Wait-Screen $session 'GiftId gift_\w+\s*$' | Out-Null
            & tmux send-keys -t $session Tab Tab
            $screen = Wait-Screen $session 'GiftId Welc\s*$'
            ($screen -split "`n")[0] | Should -Match 'Get-SocialGift -GiftId Welc\s*$'
        }
        finally { & tmux kill-session -t $session }
    }
}

Describe 'Progress' {
    BeforeAll {
        $script:RunPipeline = {
            param($Preference)
            $ps = [powershell]::Create()
            $ps.AddScript({
                    param($Manifest, $Connection, $Preference)
                    Import-Module $Manifest
                    $ProgressPreference = $Preference
                    1..400 | ForEach-Object { [pscustomobject]@{ UserId = "progress.$($_ % 10)"; Value = 1 } } |
                        Set-SocialTierScore -Connection $Connection | Measure-Object | Select-Object -ExpandProperty Count
                }).AddArgument($Manifest).AddArgument($Conn).AddArgument($Preference) | Out-Null
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $count = $ps.Invoke()
            $watch.Stop()
            [pscustomobject]@{ Count = $count[0]; Progress = @($ps.Streams.Progress); Errors = @($ps.Streams.Error); Elapsed = $watch.Elapsed }
            $ps.Dispose()
        }
    }

    It 'reports progress during a long pipeline, a few times a second at most' {
        $run = & $RunPipeline 'Continue'
        $run.Errors | Should -BeNullOrEmpty
        $run.Count | Should -Be 400
        $updates = @($run.Progress | Where-Object RecordType -eq 'Processing')
        # The first finished item reports at once, however fast the run: never zero records.
        $updates.Count | Should -BeGreaterThan 0
        $updates[0].Activity | Should -Be 'Updating tier scores'
        $updates[0].StatusDescription | Should -Be '1 done'
        # The closing record always comes, with the count and the rate, however fast the run.
        @($run.Progress | Where-Object RecordType -eq 'Completed')[0].StatusDescription | Should -Match '^400 done, [\d,.\s]+/s$'
        # Then at most one per 250 ms: a bound from the run's own length, true at any speed.
        $updates.Count | Should -BeLessOrEqual (1 + [math]::Floor($run.Elapsed.TotalMilliseconds / 250))
        @($run.Progress | Where-Object RecordType -eq 'Completed').Count | Should -Be 1
    }

    It 'says what is left when the total is known (ids given as an array)' {
        $ps = [powershell]::Create()
        $ps.AddScript({
                param($Manifest, $Connection)
                Import-Module $Manifest
                $ProgressPreference = 'Continue'
                Set-SocialTierScore -Connection $Connection -UserId 'progress.known' -Value 1 | Out-Null
                Get-SocialTierScore -Connection $Connection -UserId 'progress.known', 'progress.known', 'progress.known' | Out-Null
            }).AddArgument($Manifest).AddArgument($Conn) | Out-Null
        $ps.Invoke() | Out-Null
        $updates = @($ps.Streams.Progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.Activity -eq 'Reading UserId values' })
        $ps.Dispose()
        $updates[0].StatusDescription | Should -Be '1 done, 2 to go'
        $updates[0].PercentComplete | Should -Be 33
    }

    It 'shows none with $ProgressPreference = SilentlyContinue' {
        $run = & $RunPipeline 'SilentlyContinue'
        $run.Count | Should -Be 400
        $run.Progress | Should -BeNullOrEmpty
    }
}

Describe 'Errors of piped rows' {
    It 'name the row they are about, on the console as in the record' {
        $rows = [pscustomobject]@{ UserId = 'row.named'; Value = '1.5' }, [pscustomobject]@{ Name = 'Named gift'; Tier = 'diamond'; Reward = 5 }
        $rows[0] | Set-SocialTierScore -ErrorVariable e1 -ErrorAction SilentlyContinue
        $rows[1] | New-SocialGift -ErrorVariable e2 -ErrorAction SilentlyContinue
        # Piped from a variable: the position in the pipeline, no CSV line.
        $e1[0].ToString() | Should -BeLike "Row 1 (user 'row.named'): Value must be a whole number*"
        $e2[0].ToString() | Should -BeLike "Row 1 (gift 'Named gift'): *diamond*"
        $e1[0].TargetObject.Row | Should -Be 1
        $e1[0].TargetObject.PSObject.Properties['CsvLine'] | Should -BeNullOrEmpty
        $e1[0].Exception.Message | Should -BeLike 'Value must be a whole number*'
    }
}

Describe '-WhatIf and $WhatIfPreference' {
    It 'sends nothing under $WhatIfPreference' {
        $before = Get-RequestTotal
        $WhatIfPreference = $true
        try {
            New-SocialGift -Name 'Never sent' -Tier gold -Reward 5 | Should -BeNullOrEmpty
            Set-SocialTierScore -UserId 'never.sent' -Value 5 | Should -BeNullOrEmpty
        }
        finally {
            $WhatIfPreference = $false
        }
        (Get-RequestTotal) | Should -Be $before
    }

    Context 'a CSV with rows the contract refuses' {
        BeforeAll {
            # What-if lines go to the host, not to a stream: a child pwsh's output shows them as a user sees them.
            $csv = Join-Path ([IO.Directory]::CreateTempSubdirectory('gs-whatif-').FullName) 'scores.csv'
            'UserId,Value', 'whatif.a,5', 'whatif.b,-5', 'whatif c,5', 'whatif.d,7' | Set-Content $csv
            $script:SentBefore = Get-RequestTotal
            $env:SOCIALOS_API_KEY = $Key
            $env:SOCIALOS_BASE_URI = $Box.BaseUri.AbsoluteUri
            try {
                $script:Output = @(& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command {
                        param($module, $csv)
                        Import-Module (Join-Path $module 'GiftStudio.psd1')
                        Connect-SocialOS
                        Import-Csv $csv | Set-SocialTierScore -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue
                        $refused | ForEach-Object { 'REFUSED|{0}|{1}|{2}|{3}|{4}' -f $_.FullyQualifiedErrorId.Split(',')[0], $_.Exception.Outcome, $_.Exception.Recovery, $_.TargetObject.CsvLine, $_ }
                    } -args $env:GIFTSTUDIO_TEST_MODULE, $csv)
            }
            finally {
                Remove-Item Env:SOCIALOS_API_KEY, Env:SOCIALOS_BASE_URI -ErrorAction Ignore
                Remove-Item -Recurse -Force (Split-Path $csv) -ErrorAction Ignore
            }
            $script:Refusals = @($Output | Where-Object { "$_" -like 'REFUSED|*' } | ForEach-Object { , ("$_".Split('|')) })
        }

        It 'refuses the negative gift_redeemed and the user id with a space, as a real run would' {
            $Refusals.Count | Should -Be 2 -Because ($Output -join "`n")
            $Refusals | ForEach-Object { $_[1] } | Should -Be @('InvalidValue', 'InvalidUserId')
            $Refusals | ForEach-Object { $_[2] } | Should -Be @('Refused', 'Refused')
            $Refusals | ForEach-Object { $_[3] } | Should -Be @('FixAndSendAsNew', 'FixAndSendAsNew')
            $Refusals | ForEach-Object { $_[4] } | Should -Be @('3', '4')
            $Refusals[0][5] | Should -BeLike "Row 2 (CSV line 3; user 'whatif.b'): Value must be above 0 for action gift_redeemed; -5 is not.*"
            $Refusals[1][5] | Should -BeLike "Row 3 (CSV line 4; user 'whatif c'): UserId must be 1 to 128 ASCII letters*; 'whatif c' has a space at position 7."
        }

        It 'shows a What-if line for each good row and sends nothing' {
            $whatIf = @($Output | Where-Object { "$_" -like 'What if:*' })
            $whatIf.Count | Should -Be 2 -Because ($Output -join "`n")
            $whatIf[0] | Should -BeLike "*tier score of 'whatif.a'*"
            $whatIf[1] | Should -BeLike "*tier score of 'whatif.d'*"
            (Get-RequestTotal) | Should -Be $SentBefore
        }
    }
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

Describe 'Proxies' {
    It 'sends requests for a remote host to -Proxy' {
        $proxy = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $proxy.Start()
        try {
            $accept = $proxy.AcceptTcpClientAsync()
            $remote = Connect-SocialOS -BaseUri 'https://socialos.example.test/v2' -ApiKey $Box.ApiKey -Proxy "http://127.0.0.1:$($proxy.LocalEndpoint.Port)" -TimeoutSec 2 -MaxRetries 0 -PassThru
            Get-SocialCurrencyAudit -Connection $remote -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'Api*,GiftStudio.PowerShell.Commands.GetSocialCurrencyAuditCommand'
            $accept.Wait(2000) | Should -BeTrue
            $reader = [IO.StreamReader]::new($accept.Result.GetStream())
            $reader.ReadLine() | Should -Be 'CONNECT socialos.example.test:443 HTTP/1.1'
            $accept.Result.Dispose()
        }
        finally {
            $proxy.Stop()
            $Box | Connect-SocialOS
        }
    }

    It 'never sends loopback requests to the environment''s proxy' {
        $script = "Import-Module '$Manifest'; (Set-SocialTierScore -UserId proxy.user -Value 7).Current"
        # A proxy that does not exist: were it used, every call would fail.
        $run = Invoke-ChildPwsh $script @{
            SOCIALOS_API_KEY = $Key; SOCIALOS_BASE_URI = $Box.BaseUri.AbsoluteUri
            HTTP_PROXY = 'http://127.0.0.1:9'; HTTPS_PROXY = 'http://127.0.0.1:9'; NO_PROXY = ''
        }
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $out = $run.Output
        $out.Trim() | Should -Be '7'
    }
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest and exports exactly its cmdlets' {
        $info = Test-ModuleManifest $Manifest
        $info.ExportedCmdlets.Keys | Sort-Object | Should -Be ((Get-Command -Module GiftStudio).Name | Sort-Object)
        $info.ExportedFunctions.Count | Should -Be 0
        $info.CompatiblePSEditions | Should -Be @('Core')
        $info.PrivateData.PSData.Tags | Should -Contain 'SocialOS'
        $info.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $info.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $info.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }
}
