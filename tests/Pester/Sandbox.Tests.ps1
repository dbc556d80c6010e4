# The sandbox as a PowerShell user meets it: the staged server, spoken to with Invoke-RestMethod.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:sandbox = Start-TestSandbox -Now '2026-02-20T14:00:00Z'
}

AfterAll {
    if ($script:sandbox) { Stop-TestSandbox $script:sandbox }
}

Describe 'The staged sandbox' {
    It 'answers /health without a key' {
        (Invoke-RestMethod "$($sandbox.RootUri)/health").status | Should -Be 'ok'
    }

    It 'runs the published example: gift, redemption 200 -> 700 = gold, audit' {
        $gift = Invoke-RestMethod -Method Post "$($sandbox.ApiUri)/gamification/gifts" -Headers $sandbox.Headers `
            -ContentType 'application/json' -Body '{ "name": "Welcome Pack", "tier": "gold", "reward": 500, "badge": true, "expires": "2026-03-20T00:00:00Z" }'
        $gift.gift_id | Should -Match '^gift_[A-Za-z0-9_-]+$'
        $gift.badge_included | Should -BeTrue

        $body = @{ userId = 'alice.kred'; metric = 'tier'; action = 'adjustment'; value = 200 } | ConvertTo-Json
        Invoke-RestMethod -Method Post "$($sandbox.ApiUri)/gamification/score" -Headers $sandbox.Headers -ContentType 'application/json' -Body $body | Out-Null
        $body = @{ userId = 'alice.kred'; metric = 'tier'; action = 'gift_redeemed'; value = 500; giftId = $gift.gift_id } | ConvertTo-Json
        $score = Invoke-RestMethod -Method Post "$($sandbox.ApiUri)/gamification/score" -Headers $sandbox.Headers -ContentType 'application/json' -Body $body
        $score.previous | Should -Be 200
        $score.current | Should -Be 700
        $score.tier_name | Should -Be 'gold'
        $score.rank | Should -Be 1

        $audit = Invoke-RestMethod "$($sandbox.ApiUri)/analytics?type=currency&metric=gifts_redeemed&window=7d" -Headers $sandbox.Headers
        $audit.summary.total_gifts | Should -Be 1
        $audit.summary.total_value | Should -Be 500
        $audit.summary.top_tier | Should -Be 'gold'
        @($audit.daily).Count | Should -Be 7
        $audit.daily[0].date | Should -Be '2026-02-20'
    }

    It 'answers a wrong key with 401 problem details and a request id' {
        $response = Invoke-WebRequest "$($sandbox.ApiUri)/gamification/gifts" -Headers @{ Authorization = 'Bearer nope' } -SkipHttpErrorCheck
        $response.StatusCode | Should -Be 401
        $response.Headers['Content-Type'] | Should -Be 'application/problem+json'
        $response.Headers['X-Request-Id'] | Should -Match '^req_'
        # pwsh hands problem+json over as bytes, not text.
        $text = [Text.Encoding]::UTF8.GetString($response.RawContentStream.ToArray())
        ($text | ConvertFrom-Json).type | Should -BeLike '*/unauthorized'
    }
}
