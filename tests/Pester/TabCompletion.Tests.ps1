# Tab completion: the argument completers (-Tier, -Window, -Metric, -Action, -GiftId), a real
# prompt under tmux and PSReadLine, and gift id completion over many gifts (pages, names,
# expired gifts, its short cache).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Box = Start-TestSandbox -Now '2026-02-20T14:00:00Z'
    $script:Conn = $Box | Connect-SocialOS -PassThru
    $script:Gift = New-SocialGift -Name 'Completion target' -Tier gold -Reward 100
    $script:Key = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
    function script:Get-Completions([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-completion-').FullName
}

AfterAll {
    Stop-TestSandbox $Box
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
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
            # A connection that would wait an hour for the silent server, without retries: only the
            # completer's own limit (1.5 s) can end the completion before then.
            $dead = Connect-SocialOS -BaseUri "http://127.0.0.1:$port/v2" -ApiKey $Box.ApiKey -TimeoutSec 3600 -MaxRetries 0 -PassThru
            $completion = [powershell]::Create().AddScript({
                    param($Manifest, $Connection)
                    Import-Module $Manifest
                    $line = 'Get-SocialGift -Connection $Connection -GiftId gift_'
                    @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
                }).AddArgument((Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')).AddArgument($dead)
            $pending = $completion.BeginInvoke()
            try {
                # Waits for the state (the completion has returned) with a generous limit that is
                # still far below the connection's hour: returning at all is the completer's limit.
                $pending.AsyncWaitHandle.WaitOne([TimeSpan]::FromMinutes(5)) | Should -BeTrue -Because 'the completer gives up on a silent server by itself'
                $completion.EndInvoke($pending) | Should -BeNullOrEmpty
            }
            finally { $completion.Dispose() }
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

Describe 'Gift id completion' {
    BeforeAll {
        $script:SavedTimeout = [GiftStudio.PowerShell.GiftIdCompleter]::Timeout
        $script:SavedLifetime = [GiftStudio.PowerShell.GiftIdCompleter]::CacheLifetime
        # Time under the test's control: a generous limit, so a slow machine never decides.
        [GiftStudio.PowerShell.GiftIdCompleter]::Timeout = [TimeSpan]::FromSeconds(30)
        $path = Join-Path $Work 'completion.db'
        # Gifts that expire an hour after a clock two days back are expired in the real present.
        $past = Start-TestSandbox -DataPath $path -Now ([DateTime]::UtcNow.AddDays(-2))
        $conn = $past | Connect-SocialOS -ReturnConnection
        $script:Expired = New-SocialGift -Name 'Zebra expired' -Tier gold -Reward 5 -Expires ([DateTimeOffset]::UtcNow.AddDays(-2).AddHours(1)) -Connection $conn
        1..264 | ForEach-Object { [pscustomobject]@{ Name = "Bulk $_"; Tier = 'bronze'; Reward = $_ } } | New-SocialGift -Connection $conn -ThrottleLimit 8 | Out-Null
        Stop-TestSandbox $past
        $script:Library = Start-TestSandbox -DataPath $path -Key $past.Key
        $script:LibraryConnection = $Library | Connect-SocialOS -PassThru
        $script:Older = New-SocialGift -Name 'Zebra older' -Tier gold -Reward 5
        $script:Newest = New-SocialGift -Name 'Zebra newest' -Tier gold -Reward 5
        function script:Get-ListRequests {
            $stats = Get-SandboxStats $Library
            [int]($stats.requests.PSObject.Properties | Where-Object Name -Match 'GET /v2/gamification/gifts$' | Measure-Object Value -Sum).Sum
        }
    }

    AfterAll {
        [GiftStudio.PowerShell.GiftIdCompleter]::Timeout = $SavedTimeout
        [GiftStudio.PowerShell.GiftIdCompleter]::CacheLifetime = $SavedLifetime
        Stop-TestSandbox $Library
    }

    It 'finds the newest of 267 gifts by a prefix of its id' {
        Get-Completions "Get-SocialGift -GiftId $($Newest.GiftId.Substring(0, 12))" | Should -Contain $Newest.GiftId
    }

    It 'reads as many pages as its limit allows: the newest is found also at 50 gifts a page' {
        $saved = [GiftStudio.PowerShell.GiftIdCompleter]::PageSize
        [GiftStudio.PowerShell.GiftIdCompleter]::PageSize = 50
        try {
            $fresh = $Library | Connect-SocialOS -ReturnConnection   # a connection of its own: an empty cache
            $before = Get-ListRequests
            Get-Completions "Get-SocialGift -Connection `$fresh -GiftId $($Newest.GiftId.Substring(0, 12))" | Should -Be @($Newest.GiftId)
            (Get-ListRequests) - $before | Should -Be 6 -Because '267 gifts at 50 a page'
        }
        finally {
            [GiftStudio.PowerShell.GiftIdCompleter]::PageSize = $saved
        }
    }

    It 'matches names too, newest first, active before expired, and offers what was typed last' {
        # The typed text last: several ids share only "gift_", which would replace it in PSReadLine's Emacs mode.
        Get-Completions 'Get-SocialGift -GiftId zebra' | Should -Be @($Newest.GiftId, $Older.GiftId, $Expired.GiftId, 'zebra')
        Get-Completions 'Get-SocialGift -GiftId *newest' | Should -Be @($Newest.GiftId)
    }

    It 'offers no expired gift to Set-SocialTierScore -GiftId' {
        Get-Completions 'Set-SocialTierScore -GiftId Zebra' | Should -Be @($Newest.GiftId, $Older.GiftId, 'Zebra')
    }

    It 'asks the server again only when its short cache has aged, and then finds a gift made since' {
        [GiftStudio.PowerShell.GiftIdCompleter]::CacheLifetime = [TimeSpan]::FromHours(1)
        $null = Get-Completions 'Get-SocialGift -GiftId Zebra'
        $before = Get-ListRequests
        $null = Get-Completions 'Get-SocialGift -GiftId Bulk'
        Get-ListRequests | Should -Be $before -Because 'the cache serves a second Tab'

        $later = New-SocialGift -Name 'Zebra later' -Tier gold -Reward 5
        [GiftStudio.PowerShell.GiftIdCompleter]::CacheLifetime = [TimeSpan]::Zero
        (Get-Completions 'Get-SocialGift -GiftId Zebra')[0] | Should -Be $later.GiftId
        Get-ListRequests | Should -Be ($before + 1) -Because 'it goes on from the last page read, not from the start'
    }
}
