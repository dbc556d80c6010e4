# The first hour at a prompt (issue 11): Ctrl+C leaves the sandbox alone, a data file reopens
# with its data, strings pipe into the Get cmdlets, the module's output goes back in (also
# through CSV), connections say what they do, completion finds what is typed, and Stop/Start
# leave no temporary folders behind.
BeforeAll {
    # The Ctrl+C tests run the child session in a session of its own through setsid(1), with
    # SIGINT at its default action (env(1) --default-signal, GNU coreutils), as a terminal does.
    # Linux always has both (util-linux and coreutils, essential packages), so there these tests
    # always run, and fail if one is missing. Elsewhere they are skipped, saying why:
    $script:CanSetsid = $IsLinux
    $script:NoTerminalSignals = 'macOS has no setsid(1) to give the child session a session of its own, and Windows delivers Ctrl+C through the console, not as a signal to a process group'
    Import-Module (Join-Path $PSScriptRoot 'TestSandbox.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-first-').FullName

    # Polls a condition with a generous overall limit; never a fixed sleep to let something happen.
    function script:Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSec = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting until $What." }
            Start-Sleep -Milliseconds 100
        }
    }

    function script:Test-Running([int] $ProcessId) {
        $process = Get-Process -Id $ProcessId -ErrorAction Ignore
        [bool]($process -and -not $process.HasExited)
    }

    function script:Test-Healthy([uri] $BaseUri) {
        try { (Invoke-RestMethod ($BaseUri.AbsoluteUri -replace '/v2/?$', '/health') -TimeoutSec 10).status -eq 'ok' } catch { $false }
    }

    # A child pwsh in a session (and process group) of its own, as a terminal would run it:
    # it starts a sandbox, says where, and sleeps until Ctrl+C; with -NoExit it then stays at
    # its prompt, reading commands from its standard input.
    function script:Start-SessionWithSandbox([hashtable] $Environment = @{}) {
        $dir = Join-Path $Work ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory $dir | Out-Null
        $script = @"
Import-Module '$Manifest'
`$sandbox = Start-SocialSandbox
# Announced inside the try: a Ctrl+C that comes right after the announcement still runs the finally.
try {
    "`$(`$sandbox.ProcessId) `$(`$sandbox.BaseUri) `$(Split-Path `$sandbox.LogPath)" | Set-Content '$dir/sandbox.txt'
    while (`$true) { Start-Sleep -Milliseconds 100 }   # the long-running command that Ctrl+C must cancel
}
finally { 'stopped' | Set-Content '$dir/stopped.txt' }
"@
        # A terminal's session starts with Ctrl+C's signal at its default action, whatever this test
        # run inherited: a runner started in the background (a `cmd &` without job control) ignores
        # SIGINT, and an ignored signal stays ignored across exec. env resets it (GNU coreutils 8.31+).
        $start = [Diagnostics.ProcessStartInfo]::new('env')
        # Full paths: the negative control's PATH holds nothing but dotnet.
        foreach ($a in '--default-signal=INT', (Get-Command setsid -CommandType Application)[0].Source, (Join-Path $PSHOME 'pwsh'), '-NoProfile', '-NoExit', '-Command', $script) { $start.ArgumentList.Add($a) }
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        $null = $process.StandardOutput.ReadToEndAsync(), $process.StandardError.ReadToEndAsync()
        Wait-Until { (Test-Path "$dir/sandbox.txt") -and (Get-Content "$dir/sandbox.txt") } 'the child session started its sandbox'
        $sandboxId, $baseUri, $folder = (Get-Content "$dir/sandbox.txt") -split ' '
        [pscustomobject]@{ Session = $process; SandboxId = [int]$sandboxId; BaseUri = [uri]$baseUri; Folder = $folder; Dir = $dir }
    }

    function script:Send-CtrlC($Child) {
        # What the terminal does on Ctrl+C: SIGINT to its foreground process group.
        & kill -s INT -- "-$($Child.Session.Id)"
        $LASTEXITCODE | Should -Be 0
    }
}

AfterAll {
    Get-Module GiftStudio | Remove-Module -Force -ErrorAction Ignore
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'Ctrl+C in the session that started a sandbox' {
    It 'cancels the command; the sandbox keeps answering, and ends when the session ends' {
        if (-not $CanSetsid) { Set-ItResult -Skipped -Because $NoTerminalSignals; return }
        $child = Start-SessionWithSandbox
        try {
            # The sandbox is in a session and process group of its own, not the terminal's.
            $ids = (& ps -o 'pid=,pgid=,sid=' -p $child.SandboxId) -split '\s+' | Where-Object { $_ }
            $ids | Should -Be @("$($child.SandboxId)", "$($child.SandboxId)", "$($child.SandboxId)")

            Send-CtrlC $child
            Wait-Until { Test-Path "$($child.Dir)/stopped.txt" } 'Ctrl+C stopped the running command'
            $child.Session.HasExited | Should -BeFalse -Because '-NoExit keeps the session at its prompt'
            Test-Healthy $child.BaseUri | Should -BeTrue
            Test-Running $child.SandboxId | Should -BeTrue

            # The session ends (as when the terminal closes): the sandbox follows (--parent-pid).
            $child.Session.StandardInput.WriteLine('exit')
            $child.Session.StandardInput.Close()
            Wait-Until { $child.Session.HasExited } 'the session exited'
            Wait-Until { -not (Test-Running $child.SandboxId) } 'the sandbox ended with its session'
        }
        finally {
            if (-not $child.Session.HasExited) { $child.Session.Kill() }
            if (Test-Running $child.SandboxId) { Stop-Process -Id $child.SandboxId -Force }
        }
    }

    It 'negative control: a sandbox left in the terminal''s process group dies of the same Ctrl+C' {
        if (-not $CanSetsid) { Set-ItResult -Skipped -Because $NoTerminalSignals; return }
        # Without setsid or perl on PATH the launcher cannot detach the server: a PATH that
        # holds nothing but dotnet.
        $bin = Join-Path $Work 'dotnet-only'
        New-Item -ItemType Directory $bin -Force | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $bin 'dotnet') -Target (Get-Item (Get-Command dotnet).Source).ResolvedTarget -Force | Out-Null
        $child = Start-SessionWithSandbox -Environment @{ PATH = $bin }
        try {
            Send-CtrlC $child
            Wait-Until { Test-Path "$($child.Dir)/stopped.txt" } 'Ctrl+C stopped the running command'
            Wait-Until { -not (Test-Running $child.SandboxId) } 'the sandbox died of the SIGINT'
            $child.Session.HasExited | Should -BeFalse
        }
        finally {
            if (-not $child.Session.HasExited) { $child.Session.Kill() }
            if (Test-Running $child.SandboxId) { Stop-Process -Id $child.SandboxId -Force }
        }
    }
}

Describe 'A data file reopens with its data' {
    BeforeAll {
        $script:DataPath = Join-Path $Work 'rb.db'
        $first = Start-SocialSandbox -DataPath $DataPath
        $script:FirstKey = [System.Net.NetworkCredential]::new('', $first.ApiKey).Password
        # PowerShell's Process.CommandLine reads /proc on Linux and CIM on Windows; macOS has ps(1).
        $script:FirstCommandLine = if ($IsMacOS) { (& ps -ww -o command= -p $first.ProcessId) -join ' ' } else { (Get-Process -Id $first.ProcessId).CommandLine }
        $script:FirstFolder = Split-Path $first.LogPath
        $script:FirstKeyPath = $first.KeyPath
        $conn = $first | Connect-SocialOS -ReturnConnection
        $script:Written = New-SocialGift -Name 'Runbook gift' -Tier gold -Reward 500 -Badge -Connection $conn
        Set-SocialTierScore -UserId 'rb.user' -Value 700 -GiftId $Written.GiftId -Connection $conn | Out-Null
        $script:FirstLog = Get-Content -Raw $first.LogPath
        $first | Stop-SocialSandbox
    }

    It 'keeps the key beside the data file, readable by the owner only' {
        $FirstKeyPath | Should -Be "$DataPath.key"
        $FirstKeyPath | Should -Exist
        if (-not $IsWindows) { (Get-Item $FirstKeyPath).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        (Get-Content $FirstKeyPath | Where-Object { $_ -notmatch '^#' }) | Should -Be $FirstKey
    }

    It 'keeps the key out of the process list' {
        $FirstCommandLine | Should -Not -BeNullOrEmpty
        $FirstCommandLine | Should -Match '--api-key-file'
        $FirstCommandLine.Contains($FirstKey) | Should -BeFalse
    }

    It 'reaches the same gifts and scores after a restart, with the same key' {
        $second = Start-SocialSandbox -DataPath $DataPath
        try {
            [System.Net.NetworkCredential]::new('', $second.ApiKey).Password | Should -Be $FirstKey
            $conn = $second | Connect-SocialOS -ReturnConnection
            $gift = Get-SocialGift -GiftId $Written.GiftId -Connection $conn
            $gift.Name | Should -Be 'Runbook gift'
            $gift.BadgeIncluded | Should -BeTrue
            (Get-SocialTierScore -UserId 'rb.user' -Connection $conn).Current | Should -Be 700
            @(Get-SocialGift -Connection $conn).Count | Should -Be 1
        }
        finally {
            $second | Stop-SocialSandbox
        }
    }

    It 'serves a key of the caller''s choosing with -ApiKey, through a file deleted once read' {
        $chosen = ConvertTo-SecureString ('sk_chosen_' + [guid]::NewGuid().ToString('n')) -AsPlainText -Force
        $path = Join-Path $Work 'chosen.db'
        $sandbox = Start-SocialSandbox -DataPath $path -ApiKey $chosen
        try {
            $sandbox.KeyPath | Should -BeNullOrEmpty
            "$path.key" | Should -Not -Exist
            Get-ChildItem (Split-Path $sandbox.LogPath) -Filter 'api-key*' | Should -BeNullOrEmpty -Because 'a key given with -ApiKey is deleted once the server has read it'
            $conn = Connect-SocialOS -BaseUri $sandbox.BaseUri -ApiKey $chosen -ReturnConnection
            New-SocialGift -Name 'Chosen key' -Tier silver -Reward 5 -Connection $conn | Out-Null
        }
        finally {
            $sandbox | Stop-SocialSandbox
        }
        $again = Start-SocialSandbox -DataPath $path -ApiKey $chosen
        try {
            (Get-SocialGift -Connection ($again | Connect-SocialOS -ReturnConnection)).Name | Should -Be 'Chosen key'
        }
        finally {
            $again | Stop-SocialSandbox
        }
    }

    It 'warns when a data file has no key file beside it (a new key is a new, empty tenant)' {
        $path = Join-Path $Work 'orphan.db'
        $made = Start-SocialSandbox -DataPath $path
        $made | Stop-SocialSandbox
        Remove-Item "$path.key"
        $sandbox = Start-SocialSandbox -DataPath $path -WarningVariable warned -WarningAction SilentlyContinue
        try {
            "$warned" | Should -Match 'no key file beside it'
            "$warned" | Should -Match '-ApiKey'
        }
        finally {
            $sandbox | Stop-SocialSandbox
        }
    }

    It 'never logs the key' {
        $FirstLog | Should -Match 'POST /v2/gamification/gifts'
        $FirstLog.Contains($FirstKey) | Should -BeFalse
    }
}

Describe 'Stop-SocialSandbox and stale folders' {
    It 'removes the temporary folder with the log, and never the -DataPath file or its key' {
        $path = Join-Path $Work 'kept.db'
        $sandbox = Start-SocialSandbox -DataPath $path
        $folder = Split-Path $sandbox.LogPath
        $folder | Should -Exist
        $sandbox | Stop-SocialSandbox
        $folder | Should -Not -Exist
        $path | Should -Exist
        "$path.key" | Should -Exist
    }

    It 'makes its temporary folder readable by its owner only (0700): other users share the temp folder' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'Windows has no Unix modes, and its temp folder is per user already'; return }
        $sandbox = Start-SocialSandbox -InMemory
        try {
            $folder = Get-Item (Split-Path $sandbox.LogPath)
            $folder.UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')
            $folder.Parent.FullName | Should -Be ([IO.Path]::GetFullPath([IO.Path]::GetTempPath()).TrimEnd('/'))
        }
        finally { $sandbox | Stop-SocialSandbox }
    }

    It 'removes the whole temporary folder of a sandbox without -DataPath, unless -KeepData' {
        $sandbox = Start-SocialSandbox
        $sandbox | Stop-SocialSandbox -KeepData
        Split-Path $sandbox.LogPath | Should -Exist
        $sandbox.DataPath | Should -Exist
        $sandbox.KeyPath | Should -Exist
        Remove-Item -Recurse -Force (Split-Path $sandbox.LogPath)

        $sandbox = Start-SocialSandbox
        $sandbox | Stop-SocialSandbox
        Split-Path $sandbox.LogPath | Should -Not -Exist
    }

    It 'clears, at the next start, the folders of sandboxes whose processes are gone' {
        $temp = [IO.Path]::GetTempPath()
        # A finished process's id: nobody runs under it now.
        $gone = Start-Process (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-Command', 'exit' -PassThru
        $gone.WaitForExit()
        $stale = Join-Path $temp ('giftstudio-sandbox-t' + [guid]::NewGuid().ToString('n').Substring(0, 11))
        $alive = Join-Path $temp ('giftstudio-sandbox-t' + [guid]::NewGuid().ToString('n').Substring(0, 11))
        $foreign = Join-Path $temp ('giftstudio-sandbox-t' + [guid]::NewGuid().ToString('n').Substring(0, 11))
        foreach ($dir in $stale, $alive, $foreign) { New-Item -ItemType Directory $dir | Out-Null; Set-Content "$dir/sandbox.log" 'x' }
        Set-Content "$stale/owners.pid" "$($gone.Id)"
        Set-Content "$alive/owners.pid" "$($gone.Id)`n$PID"
        try {
            $sandbox = Start-SocialSandbox
            $sandbox | Stop-SocialSandbox
            $stale | Should -Not -Exist
            $alive | Should -Exist -Because 'one of its processes (this one) still runs'
            $foreign | Should -Exist -Because 'a folder without an owners file was not made by Start-SocialSandbox'
        }
        finally {
            Remove-Item -Recurse -Force $stale, $alive, $foreign -ErrorAction Ignore
        }
    }

    It 'clears the folder a killed session left behind' {
        if (-not $CanSetsid) { Set-ItResult -Skipped -Because $NoTerminalSignals; return }
        $child = Start-SessionWithSandbox
        $child.Session.Kill()   # SIGKILL: no Stop-SocialSandbox, no cleanup of any kind
        Wait-Until { -not (Test-Running $child.SandboxId) } 'the sandbox ended with its killed session'
        $child.Folder | Should -Exist
        $sandbox = Start-SocialSandbox
        $sandbox | Stop-SocialSandbox
        $child.Folder | Should -Not -Exist
    }
}

Describe 'Strings, names and objects in the pipeline' {
    BeforeAll {
        $script:Box = Start-SocialSandbox
        $Box | Connect-SocialOS
        $script:Gifts = @(
            New-SocialGift -Name 'Welcome Pack' -Tier gold -Reward 500 -Badge -Expires ([DateTimeOffset]::UtcNow.AddDays(30))
            New-SocialGift -Name 'welcome back' -Tier silver -Reward 50
            New-SocialGift -Name 'Summer Sale' -Tier bronze -Reward 10 -Expires '2030-06-01T12:00:00+02:00'
        )
    }

    AfterAll {
        $Box | Stop-SocialSandbox
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

Describe 'Connections' {
    BeforeAll {
        $script:Box = Start-SocialSandbox
        $script:Key = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
        # A fresh runspace: no current connection, the module imported anew.
        function script:Invoke-Fresh([scriptblock] $Script, [object[]] $Arguments = @()) {
            $ps = [powershell]::Create()
            try {
                $ps.AddScript("Import-Module '$Manifest'").AddStatement().AddScript($Script) | Out-Null
                foreach ($a in $Arguments) { $ps.AddArgument($a) | Out-Null }
                $output = $ps.Invoke()
                [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error) }
            }
            finally {
                $ps.Dispose()
            }
        }
    }

    AfterAll {
        $Box | Stop-SocialSandbox
    }

    It '-PassThru makes the connection current and writes it' {
        $run = Invoke-Fresh { param($box) $made = $box | Connect-SocialOS -PassThru; $made; Get-SocialOSConnection } @($Box)
        $run.Output.Count | Should -Be 2
        [object]::ReferenceEquals($run.Output[0], $run.Output[1]) | Should -BeTrue
    }

    It '-ReturnConnection writes a connection without making it current' {
        $run = Invoke-Fresh {
            param($box)
            $own = $box | Connect-SocialOS -ReturnConnection
            $own
            Get-SocialOSConnection
            (Get-SocialLeaderboard -Connection $own | Measure-Object).Count
        } @($Box)
        $run.Output[0] | Should -BeOfType [GiftStudio.PowerShell.SocialOSConnection]
        $run.Output.Count | Should -Be 2 -Because 'there is still no current connection'
        $run.Errors.FullyQualifiedErrorId | Should -BeLike 'NotConnected,*'
    }

    It '-ReturnConnection leaves the current connection as it was' {
        $run = Invoke-Fresh {
            param($box)
            $current = $box | Connect-SocialOS -PassThru
            $other = Connect-SocialOS -BaseUri $box.BaseUri -ApiKey (ConvertTo-SecureString 'other-key' -AsPlainText -Force) -ReturnConnection
            [object]::ReferenceEquals((Get-SocialOSConnection), $current)
            [object]::ReferenceEquals($other, $current)
        } @($Box)
        $run.Output | Should -Be @($true, $false)
    }

    It 'Get-SocialOSConnection reports the SOCIALOS_API_KEY connection that the next call uses' {
        $saved = $env:SOCIALOS_API_KEY, $env:SOCIALOS_BASE_URI
        try {
            $env:SOCIALOS_API_KEY = $Key
            $env:SOCIALOS_BASE_URI = $Box.BaseUri.AbsoluteUri
            $run = Invoke-Fresh {
                $reported = Get-SocialOSConnection
                $reported
                $null = Get-SocialLeaderboard
                [object]::ReferenceEquals((Get-SocialOSConnection), $reported)
            }
        }
        finally {
            $env:SOCIALOS_API_KEY, $env:SOCIALOS_BASE_URI = $saved
        }
        $run.Errors | Should -BeNullOrEmpty
        $run.Output[0].KeySource | Should -Be 'Environment'
        $run.Output[0].BaseUri.AbsoluteUri.TrimEnd('/') | Should -Be $Box.BaseUri.AbsoluteUri.TrimEnd('/')
        $run.Output[1] | Should -BeTrue
    }

    It 'says a route is not offered, and hints at /v2, when the base URI lacks it' {
        $bare = Connect-SocialOS -BaseUri ($Box.BaseUri.AbsoluteUri -replace 'v2/?$', '') -ApiKey $Box.ApiKey -ReturnConnection
        Get-SocialCurrencyAudit -Connection $bare -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.Message | Should -Match 'does not offer GET /analytics\?type=currency'
        $failed[0].Exception.Message | Should -Match 'no version path.*/v2'
        Get-SocialGift -GiftId 'gift_missing' -Connection $bare -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.Message | Should -Match 'does not offer GET /gamification/gifts/\{gift_id\}.*extensions'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ApiNotFound,*'
    }

    It 'tells a missing gift or user from a route the server does not offer' {
        $conn = $Box | Connect-SocialOS -ReturnConnection
        Get-SocialGift -GiftId 'gift_missing' -Connection $conn -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.Message | Should -Match "gift_missing' does not exist"
        $failed[0].Exception.Message | Should -Not -Match 'does not offer'
        Get-SocialTierScore -UserId 'no.such.user' -Connection $conn -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.Message | Should -Not -Match 'does not offer'
        Set-SocialTierScore -UserId 'u' -Value 1 -GiftId 'gift_missing' -Connection $conn -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.Message | Should -Not -Match 'does not offer'
    }

    It 'README and the help of the three cmdlets say they use extension routes' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        foreach ($name in 'Get-SocialGift', 'Get-SocialTierScore', 'Get-SocialLeaderboard') {
            (Get-Help $name -Full | Out-String) | Should -Match 'extension'
            $readme | Should -Match "$name[^\n]*extension|extension[^\n]*$name"
        }
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
        $past = Start-SocialSandbox -DataPath $path -Now ([DateTime]::UtcNow.AddDays(-2))
        $conn = $past | Connect-SocialOS -ReturnConnection
        $script:Expired = New-SocialGift -Name 'Zebra expired' -Tier gold -Reward 5 -Expires ([DateTimeOffset]::UtcNow.AddDays(-2).AddHours(1)) -Connection $conn
        1..264 | ForEach-Object { [pscustomobject]@{ Name = "Bulk $_"; Tier = 'bronze'; Reward = $_ } } | New-SocialGift -Connection $conn -ThrottleLimit 8 | Out-Null
        $past | Stop-SocialSandbox
        $script:Box = Start-SocialSandbox -DataPath $path
        $script:Conn = $Box | Connect-SocialOS -PassThru
        $script:Older = New-SocialGift -Name 'Zebra older' -Tier gold -Reward 5
        $script:Newest = New-SocialGift -Name 'Zebra newest' -Tier gold -Reward 5
        $script:Key = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
        function script:Get-Completions([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
        }
        function script:Get-ListRequests {
            $stats = Invoke-RestMethod ($Box.BaseUri.AbsoluteUri -replace '/v2/?$', '/_sandbox/stats') -Headers @{ Authorization = "Bearer $Key" }
            [int]($stats.requests.PSObject.Properties | Where-Object Name -Match 'GET /v2/gamification/gifts$' | Measure-Object Value -Sum).Sum
        }
    }

    AfterAll {
        [GiftStudio.PowerShell.GiftIdCompleter]::Timeout = $SavedTimeout
        [GiftStudio.PowerShell.GiftIdCompleter]::CacheLifetime = $SavedLifetime
        $Box | Stop-SocialSandbox
    }

    It 'finds the newest of 267 gifts by a prefix of its id' {
        Get-Completions "Get-SocialGift -GiftId $($Newest.GiftId.Substring(0, 12))" | Should -Contain $Newest.GiftId
    }

    It 'reads as many pages as its limit allows: the newest is found also at 50 gifts a page' {
        $saved = [GiftStudio.PowerShell.GiftIdCompleter]::PageSize
        [GiftStudio.PowerShell.GiftIdCompleter]::PageSize = 50
        try {
            $fresh = $Box | Connect-SocialOS -ReturnConnection   # a connection of its own: an empty cache
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

Describe 'Start-SocialSandbox -Fresh and what the sandbox says at start' {
    It 'starts the same data file empty with -Fresh, keeping its key; -Verbose shows what the file holds' {
        $dir = [IO.Directory]::CreateTempSubdirectory('gs-fresh-').FullName
        $data = Join-Path $dir 'fresh.db'
        try {
            $one = Start-SocialSandbox -DataPath $data
            try { New-SocialGift -Connection ($one | Connect-SocialOS -PassThru) -Name 'Before fresh' -Tier gold -Reward 5 | Out-Null }
            finally { $one | Stop-SocialSandbox }

            $verbose = $null
            $two = Start-SocialSandbox -DataPath $data -Verbose 4>&1 | Tee-Object -Variable verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
            try {
                @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Sandbox Data: *1 gift,*' }).Count | Should -Be 1
            }
            finally { $two | Stop-SocialSandbox }

            $three = Start-SocialSandbox -DataPath $data -Fresh
            try {
                @(Get-SocialGift -Connection ($three | Connect-SocialOS -PassThru)).Count | Should -Be 0
                (Get-Content -LiteralPath "$data.key" | Where-Object { $_ -notlike '#*' }) | Should -Not -BeNullOrEmpty
            }
            finally { $three | Stop-SocialSandbox }
        }
        finally { Remove-Item -Recurse -Force $dir -ErrorAction Ignore }
    }

    It 'leaves no key file beside a data file the sandbox refuses, and the file as it was' {
        $dir = [IO.Directory]::CreateTempSubdirectory('gs-refused-').FullName
        $data = Join-Path $dir 'notes.db'
        try {
            Set-Content -LiteralPath $data -Value 'precious notes, not a database'
            $before = (Get-FileHash -LiteralPath $data).Hash
            { Start-SocialSandbox -DataPath $data -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'SandboxStartFailed*' -ExpectedMessage '*exit code 5*'
            (Get-FileHash -LiteralPath $data).Hash | Should -Be $before
            Test-Path -LiteralPath "$data.key" | Should -BeFalse
        }
        finally { Remove-Item -Recurse -Force $dir -ErrorAction Ignore }
    }

    It 'passes every warning of the sandbox''s ready file on: a --now earlier than the newest event' {
        $dir = [IO.Directory]::CreateTempSubdirectory('gs-now-').FullName
        $data = Join-Path $dir 'now.db'
        try {
            $one = Start-SocialSandbox -DataPath $data -Now '2026-02-20T14:00:00Z'
            try { Set-SocialTierScore -Connection ($one | Connect-SocialOS -PassThru) -UserId 'now.user' -Value 5 | Out-Null }
            finally { $one | Stop-SocialSandbox }
            $two = Start-SocialSandbox -DataPath $data -Now '2026-02-19T14:00:00Z' -WarningVariable warned -WarningAction SilentlyContinue
            try {
                # Read from the server's ready file (written after every warning), not its console:
                # exactly the warnings the file lists, none lost to timing.
                $ready = Get-Content -Raw -LiteralPath (Join-Path (Split-Path $two.LogPath) 'ready.json') | ConvertFrom-Json
                @($ready.warnings).Count | Should -Be 1
                @($warned | ForEach-Object { "$_" }) | Should -Be @($ready.warnings)
                "$warned" | Should -BeLike '*later than the clock*'
            }
            finally { $two | Stop-SocialSandbox }
        }
        finally { Remove-Item -Recurse -Force $dir -ErrorAction Ignore }
    }
}

Describe 'Start-SocialSandbox -InMemory' {
    It 'keeps no data file, and refuses -DataPath with it before starting anything' {
        $box = Start-SocialSandbox -InMemory -Verbose 4>&1 | Tee-Object -Variable lines | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        try {
            $box.DataPath | Should -BeNullOrEmpty
            @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Sandbox Data: *in memory*synchronous=OFF*' }).Count | Should -Be 1
            (Set-SocialTierScore -Connection ($box | Connect-SocialOS -PassThru) -UserId 'mem.user' -Value 7).Current | Should -Be 7
        }
        finally { $box | Stop-SocialSandbox }
        { Start-SocialSandbox -InMemory -DataPath (Join-Path $Work 'never.db') -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidInMemory,GiftStudio.PowerShell.Commands.StartSocialSandboxCommand'
        Join-Path $Work 'never.db' | Should -Not -Exist
    }
}
