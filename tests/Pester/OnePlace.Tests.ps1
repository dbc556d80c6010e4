# Rules that live in one place, and the copies that must agree with it: the connection
# defaults (constants in the core) as the help and README state them, the form of a generated
# sandbox key and which keys a sandbox serves (module and sandbox each know it, since the
# sandbox never uses the client's code), and the plain-http refusal at connect time.
BeforeAll {
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-oneplace-').FullName
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

    # A connection's defaults as the cmdlet has them (field initializers that name the core's constants).
    $script:Defaults = [GiftStudio.PowerShell.Commands.ConnectSocialOSCommand]::new()
}

AfterAll {
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
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
