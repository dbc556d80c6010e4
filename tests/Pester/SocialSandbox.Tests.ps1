# Start-SocialSandbox and Stop-SocialSandbox themselves, so these tests call them directly (not
# through TestHelpers' Start-TestSandbox): Ctrl+C in the session that started a sandbox leaves it
# alone, a data file reopens with its data and its key, -Fresh and -InMemory, what the sandbox
# says at start, the temporary folders Stop and Start clear, and the sandbox key policy that the
# module and the sandbox each know (the sandbox never uses the client's code).
BeforeAll {
    # The Ctrl+C tests run the child session in a session of its own through setsid(1), with
    # SIGINT at its default action (env(1) --default-signal, GNU coreutils), as a terminal does.
    # Linux always has both (util-linux and coreutils, essential packages), so there these tests
    # always run, and fail if one is missing. Elsewhere they are skipped, saying why:
    $script:CanSetsid = $IsLinux
    $script:NoTerminalSignals = 'macOS has no setsid(1) to give the child session a session of its own, and Windows delivers Ctrl+C through the console, not as a signal to a process group'
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-sandbox-').FullName

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

    $script:SandboxDll = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'sandbox/GiftStudio.Sandbox.dll'

    function script:Invoke-SandboxCode([string] $Script, [hashtable] $Data) {
        # Runs code against the staged sandbox assembly in a fresh pwsh (never loaded here);
        # input ($in) and output as JSON files.
        $name = Join-Path $Work ([guid]::NewGuid().ToString('n'))
        $Data | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath "$name.in.json" -Encoding utf8
        Set-Content -LiteralPath "$name.ps1" -Encoding utf8 -Value @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$SandboxDll'
`$in = Get-Content -Raw -LiteralPath '$name.in.json' | ConvertFrom-Json
`$result = & { $Script }
ConvertTo-Json -InputObject @(`$result) -Depth 5 | Set-Content -LiteralPath '$name.out.json' -Encoding utf8
"@
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File "$name.ps1" 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed: $output" }
        Get-Content -Raw -LiteralPath "$name.out.json" | ConvertFrom-Json
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

Describe 'Start-SocialSandbox -Seed' {
    It 'refuses in the module a seed the sandbox would refuse (<Seed>), naming the value and the accepted range' -ForEach @(
        @{ Seed = @(0, 30); Says = '*users from 1 to 1000000*' }
        @{ Seed = @(1, 366); Says = '*days from 1 to 365*' }
        @{ Seed = @(5); Says = '*users,days or users,days,events*' }
    ) {
        $err = $null
        try { Start-SocialSandbox -InMemory -Seed $Seed -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidSeed,GiftStudio.PowerShell.Commands.StartSocialSandboxCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike $Says
        $err.Exception.Message | Should -BeLike "*'$($Seed -join ',')'*"
    }
}

Describe 'Sandbox keys: one policy on both sides' {
    It 'a key Start-SocialSandbox generates has the form the sandbox itself generates' {
        $sandbox = Start-SocialSandbox -InMemory
        try {
            $launcherKey = [Net.NetworkCredential]::new('', $sandbox.ApiKey).Password
        }
        finally {
            $sandbox | Stop-SocialSandbox
        }
        $sandboxKeys = @(Invoke-SandboxCode '1..20 | ForEach-Object { [GiftStudio.Sandbox.ApiKeys]::Generate() }' @{})

        # 24 random bytes in base64url, random from the first character: no fixed prefix.
        $form = '^[A-Za-z0-9_-]{32}$'
        $launcherKey | Should -Match $form
        foreach ($key in $sandboxKeys) { $key | Should -Match $form }
        @($sandboxKeys | ForEach-Object { $_.Substring(0, 4) } | Sort-Object -Unique).Count | Should -BeGreaterThan 10
    }

    It 'Start-SocialSandbox -ApiKey refuses exactly the keys the sandbox would refuse' {
        $candidates = @(
            'a', ('x' * 512), ('x' * 513), 'plain-key_1.2~3', '!"$%&''()*+,-./:;<=>?@[\]^_`{|}~', 'mid#hash',
            '#hash', 'has space', "tab`there", 'ünï', ('key' + [char]0x7F), ' padded', "two`nlines"
        )
        # The sandbox's verdict: its own command-line parser reading a key file such as the
        # launcher writes; served means that exactly this key is served.
        $sandboxAccepts = Invoke-SandboxCode @'
$i = 0
foreach ($key in $in.Candidates) {
    $file = Join-Path $in.Work ('key-' + ($i++) + '.txt')
    [IO.File]::WriteAllText($file, "# a key under test`n" + $key + "`n")
    try {
        $options = [GiftStudio.Sandbox.SandboxOptions]::Parse([string[]]@('--urls', 'http://127.0.0.1:0', '--api-key-file', $file, '--data', (Join-Path $in.Work 'x.db')))
        $options.ApiKeys.Count -eq 1 -and $options.ApiKeys[0] -ceq $key
    }
    catch { $false }
}
'@ @{ Candidates = $candidates; Work = $Work }
        $sandboxAccepts.Count | Should -Be $candidates.Count

        for ($i = 0; $i -lt $candidates.Count; $i++) {
            $secure = ConvertTo-SecureString $candidates[$i] -AsPlainText -Force
            $started = $null
            try {
                $started = Start-SocialSandbox -InMemory -ApiKey $secure -ErrorAction Stop
                # Served: the key works.
                @(Get-SocialGift -Connection ($started | Connect-SocialOS -ReturnConnection) -First 1).Count | Should -Be 0
                $verdict = $true
            }
            catch {
                $_.FullyQualifiedErrorId | Should -Be 'InvalidApiKey,GiftStudio.PowerShell.Commands.StartSocialSandboxCommand'
                $_.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $_.Exception.Message | Should -Not -Match ([regex]::Escape($candidates[$i].Trim()))
                $verdict = $false
            }
            finally {
                if ($started) { $started | Stop-SocialSandbox }
            }
            $verdict | Should -Be $sandboxAccepts[$i] -Because "candidate $i ($($candidates[$i].Length) characters)"
        }
    }
}
