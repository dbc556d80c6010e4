# Connect-SocialOS and the connection a call uses: -PassThru and -ReturnConnection, the
# SOCIALOS_* environment, -Connection > current > environment (ConnectionResolver), what a
# missing route says, the connection defaults (constants in the core) as the help and README
# state them, the plain-http refusal at connect time, and proxies.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
    Import-Module $Manifest -Force
    $script:Repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    # A connection's defaults as the cmdlet has them (field initializers that name the core's constants).
    $script:Defaults = [GiftStudio.PowerShell.Commands.ConnectSocialOSCommand]::new()
}

Describe 'Connections' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:Key = [System.Net.NetworkCredential]::new('', $Box.ApiKey).Password
    }

    AfterAll {
        Stop-TestSandbox $Box
    }

    It '-PassThru makes the connection current and writes it' {
        $run = Invoke-InFreshRunspace { param($box) $made = $box | Connect-SocialOS -PassThru; $made; Get-SocialOSConnection } @($Box)
        $run.Output.Count | Should -Be 2
        [object]::ReferenceEquals($run.Output[0], $run.Output[1]) | Should -BeTrue
    }

    It '-ReturnConnection writes a connection without making it current' {
        $run = Invoke-InFreshRunspace {
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
        $run = Invoke-InFreshRunspace {
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
            $run = Invoke-InFreshRunspace {
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

Describe 'Which connection a call uses: -Connection, else the current one, else the environment' {
    BeforeAll {
        # Two sandboxes, each with a user the other lacks: the user read says which answered.
        $script:BoxA = Start-TestSandbox
        $script:BoxB = Start-TestSandbox
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
        Stop-TestSandbox $BoxA
        Stop-TestSandbox $BoxB
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

Describe 'The connection defaults are written once' {
    It 'Connect-SocialOS takes them from the core: <Name>' -ForEach @(
        @{ Name = 'TimeoutSec'; Core = { [GiftStudio.SocialOsClientOptions]::DefaultTimeoutSeconds } }
        @{ Name = 'MaxRetries'; Core = { [GiftStudio.RetryPolicy]::DefaultMaxRetries } }
        @{ Name = 'RetryBaseDelaySec'; Core = { [GiftStudio.RetryPolicy]::DefaultBaseDelaySeconds } }
        @{ Name = 'RetryBudgetSec'; Core = { [GiftStudio.RetryPolicy]::DefaultBudgetSeconds } }
        @{ Name = 'CircuitBreakerThreshold'; Core = { [GiftStudio.CircuitBreaker]::DefaultFailureThreshold } }
        @{ Name = 'CircuitBreakerDurationSec'; Core = { [GiftStudio.CircuitBreaker]::DefaultBreakDuration.TotalSeconds } }
    ) {
        $Defaults.$Name | Should -Be (& $Core)
        # The help states the same value under the parameter.
        $help = Get-Content -Raw (Join-Path $Repository 'docs/help/Connect-SocialOS.md')
        $section = [regex]::Match($help, "(?ms)^### -$Name\b.*?^Default value: (?<value>[^\r\n]+)")
        $section.Success | Should -BeTrue -Because "docs/help/Connect-SocialOS.md documents -$Name"
        [double]$section.Groups['value'].Value | Should -Be $Defaults.$Name
    }

    It 'a connection made without Connect-SocialOS parameters has them' {
        $connection = Connect-SocialOS -BaseUri 'http://127.0.0.1:9/v2' -ApiKey (ConvertTo-SecureString 'k' -AsPlainText -Force) -ReturnConnection
        $connection.Timeout | Should -Be ([GiftStudio.SocialOsClientOptions]::DefaultTimeout)
        $connection.MaxRetries | Should -Be ([GiftStudio.RetryPolicy]::DefaultMaxRetries)
        $connection.CircuitBreakerThreshold | Should -Be ([GiftStudio.CircuitBreaker]::DefaultFailureThreshold)
        $connection.CircuitBreakerDuration | Should -Be ([GiftStudio.CircuitBreaker]::DefaultBreakDuration)
    }

    It 'about_GiftStudio and the README state them' {
        $about = Get-Content -Raw (Join-Path $Repository 'docs/help/about_GiftStudio.md')
        $about | Should -Match ('\| `-TimeoutSec` \|[^|]*\| {0} \|' -f $Defaults.TimeoutSec)
        $about | Should -Match ('\| `-RetryBaseDelaySec` \|[^|]*\| ' + [regex]::Escape("$($Defaults.RetryBaseDelaySec)") + ' \|')
        $about | Should -Match ('\| `-RetryBudgetSec` \|[^|]*\| {0} \|' -f $Defaults.RetryBudgetSec)
        $about | Should -Match ('at most {0} retries and spends at most {1} s' -f $Defaults.MaxRetries, $Defaults.RetryBudgetSec)
        $readme = (Get-Content -Raw (Join-Path $Repository 'README.md')) -replace '\s+', ' '
        $cap = [GiftStudio.RetryPolicy]::DefaultMaxDelaySeconds
        $readme | Should -Match ([regex]::Escape("(default $($Defaults.MaxRetries) retries, $($Defaults.RetryBaseDelaySec) s base, $cap s cap, a $($Defaults.RetryBudgetSec) s budget per call)"))
        $readme | Should -Match ([regex]::Escape('After `-CircuitBreakerThreshold` (default {0})' -f $Defaults.CircuitBreakerThreshold))
        $readme | Should -Match ([regex]::Escape('`-CircuitBreakerDurationSec` (default {0} s)' -f $Defaults.CircuitBreakerDurationSec))
    }
}

Describe 'Plain http is refused at connect time with the rule every request uses' {
    It 'names the value, where it came from and what is accepted (<Source>)' -ForEach @(
        @{ Source = '-BaseUri' }
        @{ Source = 'SOCIALOS_BASE_URI' }
    ) {
        $key = ConvertTo-SecureString 'k' -AsPlainText -Force
        $saved = $env:SOCIALOS_BASE_URI
        try {
            $record = if ($Source -eq '-BaseUri') {
                { Connect-SocialOS -BaseUri 'http://socialos.example.com:8080/v2' -ApiKey $key -ReturnConnection } | Should -Throw -PassThru
            }
            else {
                $env:SOCIALOS_BASE_URI = 'http://socialos.example.com:8080/v2'
                { Connect-SocialOS -ApiKey $key -ReturnConnection } | Should -Throw -PassThru
            }
        }
        finally {
            $env:SOCIALOS_BASE_URI = $saved
        }
        $record.FullyQualifiedErrorId | Should -Be 'InsecureTransport,GiftStudio.PowerShell.Commands.ConnectSocialOSCommand'
        $record.CategoryInfo.Category | Should -Be 'SecurityError'
        $record.Exception.Message | Should -Be ("Refusing to send the API key over plain http to http://socialos.example.com:8080 (from $Source): " +
            'anyone on the network could read it. Use https:// (plain http is accepted only for loopback addresses such as a local sandbox).')
    }
}

Describe 'Proxies' {
    BeforeAll {
        $script:Box = Start-TestSandbox
        $script:Key = $Box.Key
        $Box | Connect-SocialOS
    }
    AfterAll { Stop-TestSandbox $Box }

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
