# Invoke-SocialOSRequest against real sandboxes: every route gives the values its cmdlet
# gives (wire names and RFC 3339 strings against typed properties), retried POSTs apply once,
# errors carry the cmdlets' ids, -Paginate streams and stops, and a path outside the base URI
# is refused before anything is sent.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Box = Start-TestSandbox -Seed 40, 20
    $script:Conn = $Box | Connect-SocialOS -PassThru
    $PSDefaultParameterValues['*-Social*:Connection'] = $Conn

    function script:Get-RequestCount($Sandbox, [string] $Route) {
        $value = (Get-SandboxStats $Sandbox).requests.$Route
        if ($value) { [int] $value } else { 0 }
    }
    function script:Get-AllRequestTotal($Sandbox) {
        [int] ((Get-SandboxStats $Sandbox).requests.PSObject.Properties | Measure-Object Value -Sum).Sum
    }
    function script:Assert-Instant($Raw, $Typed) {
        if ($null -eq $Typed) { $Raw | Should -BeNullOrEmpty; return }
        $Raw | Should -BeOfType [string]
        $Raw | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$'
        [DateTimeOffset]::Parse($Raw, [cultureinfo]::InvariantCulture).UtcDateTime | Should -Be ([DateTimeOffset] $Typed).UtcDateTime
    }
    function script:Assert-SameGift($Raw, $Typed) {
        $Raw.gift_id | Should -Be $Typed.GiftId
        $Raw.name | Should -BeExactly $Typed.Name
        $Raw.tier | Should -BeExactly $Typed.Tier
        $Raw.reward | Should -Be $Typed.Reward
        $Raw.badge_included | Should -Be $Typed.BadgeIncluded
        Assert-Instant $Raw.expires $Typed.Expires
        Assert-Instant $Raw.created_at $Typed.CreatedAt
    }
    function script:Assert-SameScore($Raw, $Typed) {
        $Raw.userId | Should -BeExactly $Typed.UserId
        $Raw.metric | Should -BeExactly $Typed.Metric
        $Raw.previous | Should -Be $Typed.Previous
        $Raw.current | Should -Be $Typed.Current
        $Raw.tier_name | Should -BeExactly $Typed.TierName
        $Raw.rank | Should -Be $Typed.Rank
        Assert-Instant $Raw.updated_at $Typed.UpdatedAt
    }

    # A server that answers every request 405 (the sandbox gives the typed cmdlets no way to
    # meet one) and counts what reaches it: also "another host" for the refusal test.
    Add-Type -TypeDefinition @'
using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
public sealed class GsCannedServer : IDisposable {
    private readonly HttpListener _listener = new HttpListener();
    private int _requests;
    public string Root { get; }
    public int Requests => Volatile.Read(ref _requests);
    public GsCannedServer() {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Root = "http://127.0.0.1:" + port + "/";
        _listener.Prefixes.Add(Root);
        _listener.Start();
        new Thread(Serve) { IsBackground = true }.Start();
    }
    private void Serve() {
        while (true) {
            HttpListenerContext context;
            try { context = _listener.GetContext(); } catch { return; }
            Interlocked.Increment(ref _requests);
            var body = Encoding.UTF8.GetBytes("{\"type\":\"https://docs.socialos.io/errors/method-not-allowed\",\"title\":\"Method not allowed\",\"status\":405,\"detail\":\"" + context.Request.HttpMethod + " is not allowed here; allowed: POST.\"}");
            context.Response.StatusCode = 405;
            context.Response.ContentType = "application/problem+json";
            context.Response.Headers["Allow"] = "POST";
            context.Response.Headers["X-Request-Id"] = "req_canned";
            context.Response.OutputStream.Write(body, 0, body.Length);
            context.Response.Close();
        }
    }
    public void Dispose() { try { _listener.Stop(); _listener.Close(); } catch { } }
}
'@
    $script:Canned = [GsCannedServer]::new()
    $script:CannedConn = Connect-SocialOS -BaseUri "$($Canned.Root)v2" -ApiKey (ConvertTo-SecureString 'sk_canned_0000' -AsPlainText -Force) -MaxRetries 0 -PassThru

    # Data for the comparisons: gifts with and without expiry and a scored user.
    $script:Typed = New-SocialGift -Name 'Compare typed' -Tier silver -Reward 25 -Badge -Expires '2031-05-06T07:08:09Z'
    Set-SocialTierScore -UserId 'inv.compare' -Value 40 | Out-Null
}

AfterAll {
    $PSDefaultParameterValues.Remove('*-Social*:Connection')
    Stop-TestSandbox $Box
    if ($Canned) { $Canned.Dispose() }
}

Describe 'Every route gives the values of its cmdlet' {
    It 'POST /gamification/gifts: the created gift reads back as Get-SocialGift shows it' {
        $when = [DateTimeOffset]::new(2032, 1, 2, 3, 4, 5, [TimeSpan]::FromHours(2))
        $raw = Invoke-SocialOSRequest -Method POST -Path /gamification/gifts -Body @{ name = 'Raw gift'; tier = 'gold'; reward = 300; badge = $true; expires = $when }
        $raw.expires | Should -BeExactly '2032-01-02T01:04:05Z'
        Assert-SameGift $raw (Get-SocialGift -GiftId $raw.gift_id)
    }

    It 'GET /gamification/gifts/{id}, with and without a leading slash and as an absolute URI under the base' {
        foreach ($path in "/gamification/gifts/$($Typed.GiftId)", "gamification/gifts/$($Typed.GiftId)", "$($Box.BaseUri.AbsoluteUri)/gamification/gifts/$($Typed.GiftId)") {
            Assert-SameGift (Invoke-SocialOSRequest $path) $Typed
        }
    }

    It 'GET /gamification/gifts: the list, item by item, as Get-SocialGift lists it' {
        $raw = @(Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 1000 } | ForEach-Object data)
        $typed = @(Get-SocialGift -PageSize 1000)
        $raw.Count | Should -Be $typed.Count
        $raw.Count | Should -BeGreaterThan 5
        for ($i = 0; $i -lt $typed.Count; $i++) { Assert-SameGift $raw[$i] $typed[$i] }
        (Invoke-SocialOSRequest /gamification/gifts -Query @{ tier = 'gold'; limit = 1000 }).data.gift_id | Should -Be (Get-SocialGift -Tier gold).GiftId
    }

    It 'POST /gamification/score: the update is the one Set-SocialTierScore would report' {
        $raw = Invoke-SocialOSRequest -Method POST /gamification/score -Body @{ userId = 'inv.compare'; metric = 'tier'; action = 'adjustment'; value = 15 }
        $raw.previous | Should -Be 40
        $raw.current | Should -Be 55
        $typed = Set-SocialTierScore -UserId 'inv.compare' -Value 5 -Action adjustment
        $typed.Previous | Should -Be $raw.current
        $raw.tier_name | Should -BeExactly (Get-SocialTierScore 'inv.compare').TierName
    }

    It 'GET /gamification/score/{userId}' {
        Assert-SameScore (Invoke-SocialOSRequest /gamification/score/inv.compare -Query @{ metric = 'tier' }) (Get-SocialTierScore inv.compare)
    }

    It 'GET /analytics?type=currency: summary and daily rows' {
        $raw = Invoke-SocialOSRequest '/analytics?type=currency' -Query @{ metric = 'points_awarded'; window = '7d' }
        $summary = Get-SocialCurrencyAudit -Metric points_awarded -Window 7d
        $raw.type | Should -BeExactly $summary.Type
        $raw.summary.total_gifts | Should -Be $summary.TotalGifts
        $raw.summary.total_value | Should -Be $summary.TotalValue
        $raw.summary.unique_recipients | Should -Be $summary.UniqueRecipients
        $raw.summary.top_tier | Should -Be $summary.TopTier
        $days = @(Get-SocialCurrencyAudit -Metric points_awarded -Window 7d -Daily)
        $raw.daily.Count | Should -Be $days.Count
        for ($i = 0; $i -lt $days.Count; $i++) {
            $raw.daily[$i].date | Should -BeExactly $days[$i].Date.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture)
            $raw.daily[$i].count | Should -Be $days[$i].Count
            $raw.daily[$i].value | Should -Be $days[$i].Value
        }
    }

    It 'GET /analytics?type=leaderboard' {
        $raw = Invoke-SocialOSRequest /analytics -Query ([ordered]@{ type = 'leaderboard'; metric = 'tier'; limit = 7 })
        $typed = @(Get-SocialLeaderboard -Top 7)
        $raw.entries.Count | Should -Be $typed.Count
        for ($i = 0; $i -lt $typed.Count; $i++) {
            $raw.entries[$i].rank | Should -Be $typed[$i].Rank
            $raw.entries[$i].userId | Should -BeExactly $typed[$i].UserId
            $raw.entries[$i].score | Should -Be $typed[$i].Score
            $raw.entries[$i].tier_name | Should -BeExactly $typed[$i].TierName
        }
    }
}

Describe 'Output' {
    It 'writes a JSON array item by item, and Hashtable, Json and Response as asked' {
        $items = @(Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 3 } | ForEach-Object data)
        $items.Count | Should -Be 3
        $table = Invoke-SocialOSRequest "/gamification/gifts/$($Typed.GiftId)" -OutputType Hashtable
        $table | Should -BeOfType [hashtable]
        $table['gift_id'] | Should -Be $Typed.GiftId
        $json = Invoke-SocialOSRequest "/gamification/gifts/$($Typed.GiftId)" -OutputType Json
        $json | Should -BeOfType [string]
        ($json | ConvertFrom-Json -AsHashtable)['gift_id'] | Should -Be $Typed.GiftId
        $response = Invoke-SocialOSRequest "/gamification/gifts/$($Typed.GiftId)" -OutputType Response
        $response.StatusCode | Should -Be 200
        $response.Headers['x-request-id'] | Should -Match '^req_'
        $response.Body | Should -BeExactly $json
    }

    It 'sets -StatusCodeVariable and -ResponseHeadersVariable; with piped items they hold the last one''s' {
        Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 1 } -StatusCodeVariable code -ResponseHeadersVariable headers | Out-Null
        $code | Should -Be 200
        $headers['Content-Type'] | Should -Match 'application/json'
        $rows = @(
            [pscustomobject]@{ Method = 'POST'; Path = '/gamification/gifts'; Body = @{ name = 'Piped 1'; tier = 'bronze'; reward = 1 } }
            [pscustomobject]@{ Method = 'GET'; Path = "/gamification/gifts/$($Typed.GiftId)" }
            [pscustomobject]@{ Method = 'post'; Path = 'gamification/gifts'; Body = '{"name":"Piped 3","tier":"bronze","reward":3}'; IdempotencyKey = 'inv-piped-3' }
            [pscustomobject]@{ Method = 'GET'; Path = '/gamification/gifts/gift_missing00' }
        )
        $out = @($rows | Invoke-SocialOSRequest -OutputType Response -StatusCodeVariable last -ResponseHeadersVariable lastHeaders -ThrottleLimit 4 -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.StatusCode | Should -Be @(200, 200, 200)
        ($out[0].Body | ConvertFrom-Json).name | Should -Be 'Piped 1'
        ($out[1].Body | ConvertFrom-Json).gift_id | Should -Be $Typed.GiftId
        ($out[2].Body | ConvertFrom-Json).name | Should -Be 'Piped 3'
        $lastHeaders['X-Request-Id'] | Should -Be $out[2].Headers['X-Request-Id']
        $err.Count | Should -Be 1
        $err[0].TargetObject.Path | Should -Be '/gamification/gifts/gift_missing00'
        $last | Should -Be 404 -Because 'the last item failed with 404'
        # The same key again: the server replays the first answer.
        $again = $rows[2] | Invoke-SocialOSRequest -OutputType Response -StatusCodeVariable last
        $last | Should -Be 200
        $again.Replayed | Should -BeTrue
        $again.AppliedBy | Should -Be 'EarlierCall'
        # Refused before it was sent: no status, 0, not the previous call's 200.
        Invoke-SocialOSRequest '//elsewhere.example/x' -StatusCodeVariable last -ErrorAction SilentlyContinue
        $last | Should -Be 0
        ($again.Body | ConvertFrom-Json).gift_id | Should -Be ($out[2].Body | ConvertFrom-Json).gift_id
    }
}

Describe 'The sandbox''s control routes' {
    It 'reaches /_sandbox/stats, beside the versioned API on the same server' {
        (Invoke-SocialOSRequest /_sandbox/stats).requests | Should -Not -BeNullOrEmpty
        $origin = $Box.BaseUri.GetLeftPart('Authority')
        (Invoke-SocialOSRequest "$origin/_sandbox/stats").requests | Should -Not -BeNullOrEmpty
    }

    It 'still refuses the rest of the origin outside the base path' {
        Invoke-SocialOSRequest "$($Box.BaseUri.GetLeftPart('Authority'))/health" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPath,*'
    }
}

Describe 'Idempotency keys' {
    It 'derives keys with -IdempotencyKeyPrefix, so a re-run replays every POST and applies none twice' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ Method = 'POST'; Path = '/gamification/score'; Body = @{ userId = 'inv.prefix'; metric = 'tier'; action = 'adjustment'; value = 10 } } }
        $prefix = 'inv-run-' + [guid]::NewGuid().ToString('n')
        $first = @($rows | Invoke-SocialOSRequest -IdempotencyKeyPrefix $prefix -OutputType Response)
        $again = @($rows | Invoke-SocialOSRequest -IdempotencyKeyPrefix $prefix -OutputType Response)
        $first.Replayed | Should -Be @($false, $false, $false)
        $again.Replayed | Should -Be @($true, $true, $true)
        ($again.Body | ConvertFrom-Json).current | Should -Be (($first.Body | ConvertFrom-Json).current)
        (Invoke-SocialOSRequest /gamification/score/inv.prefix).current | Should -Be 30
    }

    It 'refuses a literal key given once for several piped POSTs from the second on' {
        $rows = 1..2 | ForEach-Object { [pscustomobject]@{ Method = 'POST'; Path = '/gamification/gifts'; Body = @{ name = "Literal $_"; tier = 'bronze'; reward = 1 } } }
        $out = @($rows | Invoke-SocialOSRequest -IdempotencyKey ('inv-literal-' + [guid]::NewGuid().ToString('n')) -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.name | Should -Be 'Literal 1'
        $err[0].FullyQualifiedErrorId | Should -Be 'IdempotencyKeyReused,GiftStudio.PowerShell.Commands.InvokeSocialOSRequestCommand'
    }
}

Describe 'Errors carry the same ids as the cmdlets' {
    It '404: ApiNotFound' {
        Get-SocialGift -GiftId gift_missing00 -ErrorVariable typed -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest /gamification/gifts/gift_missing00 -ErrorVariable raw -ErrorAction SilentlyContinue -StatusCodeVariable code
        $raw[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be $typed[0].FullyQualifiedErrorId.Split(',')[0]
        $raw[0].FullyQualifiedErrorId | Should -Be 'ApiNotFound,GiftStudio.PowerShell.Commands.InvokeSocialOSRequestCommand'
        $raw[0].CategoryInfo.Category | Should -Be $typed[0].CategoryInfo.Category
        $raw[0].Exception.StatusCode | Should -Be 404
        $raw[0].Exception.RequestId | Should -Match '^req_'
        $code | Should -Be 404
    }

    It '400 with field errors: ApiValidationFailed naming the field' {
        # A gift id's form is the server's to judge; the module checks the user id itself.
        Set-SocialTierScore -UserId 'ir.user' -Value 5 -GiftId 'not a gift id' -ErrorVariable typed -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest -Method POST /gamification/score -Body @{ userId = 'ir.user'; metric = 'tier'; action = 'gift_redeemed'; value = 5; giftId = 'not a gift id' } -ErrorVariable raw -ErrorAction SilentlyContinue
        $raw[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be 'ApiValidationFailed'
        $raw[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be $typed[0].FullyQualifiedErrorId.Split(',')[0]
        $raw[0].CategoryInfo.Category | Should -Be $typed[0].CategoryInfo.Category
        $raw[0].Exception.Errors.Keys | Should -Be @($typed[0].Exception.Errors.Keys)
        $raw[0].Exception.Detail | Should -Be $typed[0].Exception.Detail
        $raw[0].ErrorDetails.RecommendedAction | Should -Match 'giftId'
        $raw[0].Exception.Outcome | Should -Be 'Refused'
        $raw[0].Exception.IdempotencyKey | Should -Not -BeNullOrEmpty
    }

    It '405: ApiMethodNotAllowed, as a typed cmdlet meets it' {
        Get-SocialLeaderboard -Connection $CannedConn -ErrorVariable typed -ErrorAction SilentlyContinue
        $typed[0].FullyQualifiedErrorId | Should -Be 'ApiMethodNotAllowed,GiftStudio.PowerShell.Commands.GetSocialLeaderboardCommand'
        Invoke-SocialOSRequest -Method DELETE /gamification/gifts -Confirm:$false -ErrorVariable raw -ErrorAction SilentlyContinue
        $raw[0].FullyQualifiedErrorId | Should -Be 'ApiMethodNotAllowed,GiftStudio.PowerShell.Commands.InvokeSocialOSRequestCommand'
        $raw[0].CategoryInfo.Category | Should -Be $typed[0].CategoryInfo.Category
        $raw[0].Exception.StatusCode | Should -Be 405
        $raw[0].Exception.Detail | Should -Match 'allowed: GET, POST'
    }
}

Describe 'Refused before anything is sent' {
    It 'refuses <Case> with InvalidPath, sending nothing anywhere' -ForEach @(
        @{ Case = 'another host (the same scheme, another port)'; Path = { "$($Canned.Root)v2/gamification/gifts" } }
        @{ Case = 'another host name'; Path = { 'http://socialos.example.com/v2/gamification/gifts' } }
        @{ Case = 'https on the sandbox'; Path = { $Box.BaseUri.AbsoluteUri -replace '^http:', 'https:' } }
        @{ Case = 'a path outside the base (not a sandbox control route)'; Path = { ($Box.BaseUri.AbsoluteUri -replace '/v2$', '') + '/health' } }
        @{ Case = 'a network-path reference'; Path = { "//$($Box.BaseUri.Authority)/v2/gamification/gifts" } }
        @{ Case = 'a climb out of the base'; Path = { '/gamification/../../_sandbox/stats' } }
        @{ Case = 'an escaped climb'; Path = { '/%2e%2e/_sandbox/stats' } }
    ) {
        $path = & $Path
        $cannedBefore = $Canned.Requests
        $before = Get-AllRequestTotal $Box
        Invoke-SocialOSRequest -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidPath,GiftStudio.PowerShell.Commands.InvokeSocialOSRequestCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $Canned.Requests | Should -Be $cannedBefore
        # Between the two reads of the stats, only one of those reads reached the sandbox.
        Get-AllRequestTotal $Box | Should -Be ($before + 1)
    }

    It 'refuses a header the module owns: <Name>' -ForEach @(@{ Name = 'Authorization' }, @{ Name = 'idempotency-key' }, @{ Name = 'Host' }) {
        $before = Get-RequestTotal $Box
        Invoke-SocialOSRequest /gamification/gifts -Headers @{ $Name = 'x' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'HeaderNotAllowed,GiftStudio.PowerShell.Commands.InvokeSocialOSRequestCommand'
        $err[0].Exception.Message | Should -Match $Name
        Get-RequestTotal $Box | Should -Be $before
    }

    It 'adds other headers' {
        $DebugPreference = 'Continue'   # -Debug would prompt in this host
        $response = Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 1 } -Headers @{ 'X-Trace' = 'abc' } -OutputType Response 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match 'X-Trace: abc' }
        @($response).Count | Should -BeGreaterThan 0
    }

    It 'refuses a body that is not JSON, a body on GET, a key on PATCH, and -Paginate on POST' {
        $before = Get-RequestTotal $Box
        Invoke-SocialOSRequest -Method POST /gamification/gifts -Body '{name:' -ErrorVariable e1 -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest /gamification/gifts -Body @{ a = 1 } -ErrorVariable e2 -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest -Method PATCH /gamification/gifts -Body @{ a = 1 } -IdempotencyKey k1 -ErrorVariable e3 -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest -Method POST /gamification/gifts -Paginate -ErrorVariable e4 -ErrorAction SilentlyContinue
        Invoke-SocialOSRequest -Method POST /gamification/gifts -Body @{ secret = (ConvertTo-SecureString 'x' -AsPlainText -Force) } -ErrorVariable e5 -ErrorAction SilentlyContinue
        ($e1, $e2, $e3, $e4, $e5 | ForEach-Object { $_[0].FullyQualifiedErrorId.Split(',')[0] }) |
            Should -Be @('InvalidBody', 'InvalidBody', 'IdempotencyKeyNotApplicable', 'InvalidPaginate', 'InvalidBody')
        Get-RequestTotal $Box | Should -Be $before
    }

    It 'sends nothing but GET and HEAD under -WhatIf' {
        $before = Get-RequestCount $Box 'POST /v2/gamification/gifts'
        Invoke-SocialOSRequest -Method POST /gamification/gifts -Body @{ name = 'WhatIf'; tier = 'gold'; reward = 1 } -WhatIf
        Get-RequestCount $Box 'POST /v2/gamification/gifts' | Should -Be $before
        (Invoke-SocialOSRequest "/gamification/gifts/$($Typed.GiftId)" -WhatIf).gift_id | Should -Be $Typed.GiftId
    }
}

Describe '-Paginate' {
    BeforeAll {
        $script:Paged = Start-TestSandbox
        $script:PagedConn = $Paged | Connect-SocialOS -PassThru
        # 250 gifts through Invoke-SocialOSRequest's own pipeline, written in input order.
        $created = 1..250 | ForEach-Object { [pscustomobject]@{ Method = 'POST'; Path = '/gamification/gifts'; Body = @{ name = "Page gift $_"; tier = 'bronze'; reward = $_ } } } |
            Invoke-SocialOSRequest -Connection $PagedConn -ThrottleLimit 8
        $script:Created = @($created)
    }
    AfterAll { Stop-TestSandbox $Paged }

    It 'created the 250 gifts in input order' {
        $Created.Count | Should -Be 250
        $Created.name | Should -Be (1..250 | ForEach-Object { "Page gift $_" })
    }

    It 'returns each of 250 gifts once at page size 7, in 36 requests' {
        $before = Get-RequestCount $Paged 'GET /v2/gamification/gifts'
        $ids = @(Invoke-SocialOSRequest /gamification/gifts -Query @{ limit = 7 } -Paginate -Connection $PagedConn).gift_id
        $ids.Count | Should -Be 250
        ($ids | Sort-Object -Unique).Count | Should -Be 250
        # Created up to eight at a time, so the server's order may differ from the input's.
        $ids | Sort-Object | Should -Be ($Created.gift_id | Sort-Object)
        Get-RequestCount $Paged 'GET /v2/gamification/gifts' | Should -Be ($before + 36)
        $script:ListedIds = $ids
    }

    It 'makes one request for Select-Object -First 3' {
        $before = Get-RequestCount $Paged 'GET /v2/gamification/gifts'
        $first = @(Invoke-SocialOSRequest '/gamification/gifts?limit=7' -Paginate -Connection $PagedConn -ErrorVariable err | Select-Object -First 3)
        $first.gift_id | Should -Be $ListedIds[0..2]
        $err.Count | Should -Be 0
        Get-RequestCount $Paged 'GET /v2/gamification/gifts' | Should -Be ($before + 1)
    }
}

Describe 'Retries' {
    It 'applies each POST once through 503s and connections dropped after the commit' {
        $chaos = Start-TestSandbox -Faults 'seed=16,503=0.25,drop=0.25,retry-after=0,only=POST'
        try {
            $connection = $chaos | Connect-SocialOS -MaxRetries 15 -RetryBaseDelaySec 0.005 -TimeoutSec 10 -PassThru
            $rows = 1..40 | ForEach-Object { [pscustomobject]@{ Method = 'POST'; Path = '/gamification/score'; Body = @{ userId = 'inv.retry' + ($_ % 4); metric = 'tier'; action = 'adjustment'; value = $_ } } }
            $out = @($rows | Invoke-SocialOSRequest -Connection $connection -ErrorVariable failures -Verbose 4>&1)
            $failures.Count | Should -Be 0
            @($out | Where-Object { $_ -is [psobject] -and $_.PSObject.Properties['current'] }).Count | Should -Be 40
            @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Retrying POST*' }).Count | Should -BeGreaterThan 0
            $faults = (Get-SandboxStats $chaos).faults
            $faults.dropped_after_commit | Should -BeGreaterThan 0
            $faults.injected_503 | Should -BeGreaterThan 0
            foreach ($group in ($rows | Group-Object { $_.Body.userId })) {
                $expected = ($group.Group | ForEach-Object { $_.Body.value } | Measure-Object -Sum).Sum
                (Invoke-SocialOSRequest "/gamification/score/$($group.Name)" -Connection $connection).current | Should -Be $expected -Because $group.Name
            }
            (Invoke-SocialOSRequest '/analytics?type=currency&metric=points_awarded&window=2d' -Connection $connection).summary.total_gifts | Should -Be 40
        }
        finally {
            Stop-TestSandbox $chaos
        }
    }
}

Describe 'Tab completion' {
    It 'offers the known routes for -Path, only those of the -Method given' {
        $line = 'Invoke-SocialOSRequest -Path /gam'
        $all = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $all | Should -Contain "'/gamification/gifts'"
        $all | Should -Contain "'/gamification/score'"
        $line = 'Invoke-SocialOSRequest -Method POST -Path '
        $posts = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $posts | Should -Be @("'/gamification/gifts'", "'/gamification/score'")
    }
}
