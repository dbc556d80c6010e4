# The parts of SocialCmdlet that need a real PowerShell host (issue 14): which connection a
# call uses (ConnectionResolver), the client's lines from pool threads written on the pipeline
# thread (PipelineLog over Core's LogPump), Ctrl+C through the async bridge with 8 in flight
# (AsyncBridge, InOrderQueue), and Write-Progress (PipelineProgress). The queue's and the
# pump's own rules are tested in xUnit (InOrderQueueTests, LogPumpTests).
BeforeAll {
    $script:ModuleManifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $ModuleManifest -Force

    function script:Get-PlainKey($Sandbox) { [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password }
    function script:Get-SandboxStats($Sandbox) {
        $root = $Sandbox.BaseUri.AbsoluteUri -replace '/v2$', ''
        Invoke-RestMethod "$root/_sandbox/stats" -Headers @{ Authorization = "Bearer $(Get-PlainKey $Sandbox)" }
    }

    # Runs a script in a runspace of its own: no current connection until the script makes one.
    function script:Invoke-InFreshRunspace([string] $Script, [object[]] $Arguments = @()) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'").AddStatement().AddScript($Script)
            foreach ($a in $Arguments) { $null = $ps.AddArgument($a) }
            $output = $ps.Invoke()
            [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Progress = @($ps.Streams.Progress) }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Which connection a call uses: -Connection, else the current one, else the environment' {
    BeforeAll {
        # Two sandboxes, each with a user the other lacks: the user read says which answered.
        $script:BoxA = Start-SocialSandbox -InMemory
        $script:BoxB = Start-SocialSandbox -InMemory
        $script:ConnA = Connect-SocialOS -BaseUri $BoxA.BaseUri -ApiKey $BoxA.ApiKey -ReturnConnection
        $script:ConnB = Connect-SocialOS -BaseUri $BoxB.BaseUri -ApiKey $BoxB.ApiKey -ReturnConnection
        $null = Set-SocialTierScore -Connection $ConnA -UserId 'only.in.a' -Value 1
        $null = Set-SocialTierScore -Connection $ConnB -UserId 'only.in.b' -Value 2
        $script:SavedKey = $env:SOCIALOS_API_KEY
        $script:SavedUri = $env:SOCIALOS_BASE_URI
        # Reads the user of each sandbox; the one that answers names the connection used.
        $script:WhoAnswers = @'
function Get-WhoAnswers($Connection) {
    $given = if ($Connection) { @{ Connection = $Connection } } else { @{} }
    @(Get-SocialTierScore -UserId only.in.a, only.in.b @given -ErrorAction Ignore).UserId
}
'@
    }
    AfterAll {
        $env:SOCIALOS_API_KEY = $SavedKey
        $env:SOCIALOS_BASE_URI = $SavedUri
        $BoxA | Stop-SocialSandbox
        $BoxB | Stop-SocialSandbox
    }
    BeforeEach {
        # The environment names sandbox B in every test that does not clear it.
        $env:SOCIALOS_API_KEY = Get-PlainKey $BoxB
        $env:SOCIALOS_BASE_URI = $BoxB.BaseUri.AbsoluteUri
    }
    AfterEach {
        $env:SOCIALOS_API_KEY = $SavedKey
        $env:SOCIALOS_BASE_URI = $SavedUri
    }

    It 'uses the environment when there is no current connection, and makes it the current one' {
        $run = Invoke-InFreshRunspace "$WhoAnswers; Get-WhoAnswers; (Get-SocialOSConnection).BaseUri.AbsoluteUri"
        $run.Errors | Should -BeNullOrEmpty
        $run.Output[0] | Should -Be 'only.in.b'
        $run.Output[1].TrimEnd('/') | Should -Be $BoxB.BaseUri.AbsoluteUri.TrimEnd('/')
    }

    It 'prefers the current connection to the environment' {
        $run = Invoke-InFreshRunspace "param(`$a) $WhoAnswers; Connect-SocialOS -BaseUri `$a.BaseUri -ApiKey `$a.ApiKey; Get-WhoAnswers" @($BoxA)
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Be 'only.in.a'
    }

    It 'prefers -Connection to the current connection' {
        $run = Invoke-InFreshRunspace "param(`$a, `$b) $WhoAnswers; Connect-SocialOS -BaseUri `$a.BaseUri -ApiKey `$a.ApiKey; Get-WhoAnswers `$b" @($BoxA, $ConnB)
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Be 'only.in.b'
    }

    It 'writes NotConnected for each piped row, in its place, when there is no connection anywhere' {
        $env:SOCIALOS_API_KEY = $null
        $env:SOCIALOS_BASE_URI = $null
        $run = Invoke-InFreshRunspace @'
$rows = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = "nobody.$_"; Value = $_ } }
$rows | Set-SocialTierScore -ThrottleLimit 8
'@
        $run.Output | Should -BeNullOrEmpty
        $run.Errors.Count | Should -Be 3
        $run.Errors.FullyQualifiedErrorId | Should -BeLike 'NotConnected,*'
        $run.Errors.TargetObject.UserId | Should -Be @('nobody.1', 'nobody.2', 'nobody.3')
    }
}

Describe 'The client''s lines from pool threads, written on the pipeline thread' {
    BeforeAll {
        # Random delays make later requests finish before earlier ones.
        $script:Slow = Start-SocialSandbox -InMemory -Faults 'seed=14,delay=0-40'
        $script:SlowConn = $Slow | Connect-SocialOS -ReturnConnection
    }
    AfterAll { $Slow | Stop-SocialSandbox }

    It 'writes every verbose line, each before its row''s result, with 8 in flight and results in input order' {
        $rows = 1..40 | ForEach-Object { [pscustomobject]@{ UserId = "pump.$_"; Value = $_ } }
        # Writing from a pool thread would throw: every line that arrives came through the pump.
        $all = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 -Verbose 4>&1)
        $results = @($all | Where-Object { $_ -is [GiftStudio.SocialTierScore] })
        $results.UserId | Should -Be $rows.UserId
        $lines = @($all | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_.Message } else { "RESULT $($_.UserId)" } })
        foreach ($row in $rows) {
            $user = [regex]::Escape($row.UserId)
            $sent = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match "^POST \S+/gamification/score \[user $user, key \w+\]$" })
            $answered = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match "^POST \S+/gamification/score \[user $user, key \w+\] -> 200 " })
            $result = [array]::IndexOf($lines, "RESULT $($row.UserId)")
            $sent.Count | Should -Be 1 -Because "$($row.UserId) was sent once"
            $answered.Count | Should -Be 1 -Because "$($row.UserId) was answered once"
            $sent[0] | Should -BeLessThan $answered[0] -Because "the line of $($row.UserId)'s request comes before the line of its answer"
            $answered[0] | Should -BeLessThan $result -Because "the lines of $($row.UserId) come before its result"
        }
    }

    It 'writes no line when verbose output is off, and the results are the same' {
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = "quiet.$_"; Value = $_ } }
        $all = @($rows | Set-SocialTierScore -Connection $SlowConn -ThrottleLimit 8 4>&1)
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
        $all.UserId | Should -Be $rows.UserId
    }
}

Describe 'Ctrl+C with 8 requests in flight' {
    It 'cancels all 8 in their Retry-After wait: nothing more is sent, nothing applied, no error' {
        # Every POST gets a 429 with a 30 s Retry-After: the 8 in flight all wait in backoff.
        $box = Start-SocialSandbox -InMemory -Faults 'seed=3,429=1,retry-after=30,only=POST'
        $ps = [powershell]::Create()
        try {
            $connection = $box | Connect-SocialOS -ReturnConnection
            $null = $ps.AddScript("Import-Module '$ModuleManifest'").AddStatement().AddScript({
                    param($c)
                    1..20 | ForEach-Object { [pscustomobject]@{ UserId = "stop.$_"; Value = 1 } } |
                        Set-SocialTierScore -Connection $c -ThrottleLimit 8 -Verbose
                }.ToString()).AddArgument($connection)
            $null = $ps.BeginInvoke()
            # Wait for the state (all 8 in their backoff, their lines written by the waiting
            # pipeline thread), not for a guessed time.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@($ps.Streams.Verbose | Where-Object Message -like 'Retrying POST * in 30.0 s*').Count -lt 8 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            @($ps.Streams.Verbose | Where-Object Message -like 'Retrying POST * in 30.0 s*').Count | Should -Be 8
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # No error per row: only the host's own record that the script was stopped.
            @($ps.Streams.Error | Where-Object FullyQualifiedErrorId -NE 'PipelineStopped') | Should -BeNullOrEmpty
            # Stop returns once the pipeline has ended: rows 9 to 20 were never sent and no
            # retry went out, so the sandbox counts exactly the 8 first POSTs.
            (Get-SandboxStats $box).requests.'POST /v2/gamification/score' | Should -Be 8
        }
        finally {
            $ps.Dispose()
            $box | Stop-SocialSandbox
        }
    }
}

Describe 'Progress of a long pipeline' {
    BeforeAll {
        $script:Box = Start-SocialSandbox -InMemory
        $script:Conn = $Box | Connect-SocialOS -ReturnConnection
        $null = Set-SocialTierScore -Connection $Conn -UserId 'p.1' -Value 1
    }
    AfterAll { $Box | Stop-SocialSandbox }

    It 'reports the first item at once with what is left, and completes the activity at the end' {
        $run = Invoke-InFreshRunspace 'param($c) Get-SocialTierScore -UserId p.1, p.1, p.1 -Connection $c' @($Conn)
        $run.Output.Count | Should -Be 3
        $first = $run.Progress[0]
        $first.Activity | Should -Be 'Reading UserId values'
        $first.StatusDescription | Should -Be '1 done, 2 to go'
        $first.PercentComplete | Should -Be 33
        $last = $run.Progress[-1]
        $last.RecordType | Should -Be 'Completed'
        $last.ActivityId | Should -Be $first.ActivityId
        $last.StatusDescription | Should -BeLike '3 done*0 to go'
    }

    It 'writes no progress when there was none to show' {
        $run = Invoke-InFreshRunspace 'param($c) Get-SocialLeaderboard -Top 1 -Connection $c' @($Conn)
        $run.Output.Count | Should -Be 1
        $run.Progress | Should -BeNullOrEmpty
    }
}
