# -WhatIf and $WhatIfPreference: nothing is sent, a What-if line for each good row, and the rows
# the contract refuses are refused as a real run would refuse them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
    $script:Box = Start-TestSandbox
    $script:Key = $Box.Key
    $Box | Connect-SocialOS
}

AfterAll {
    Stop-TestSandbox $Box
}

Describe '-WhatIf and $WhatIfPreference' {
    It 'sends nothing under $WhatIfPreference' {
        $before = Get-RequestTotal $Box
        $WhatIfPreference = $true
        try {
            New-SocialGift -Name 'Never sent' -Tier gold -Reward 5 | Should -BeNullOrEmpty
            Set-SocialTierScore -UserId 'never.sent' -Value 5 | Should -BeNullOrEmpty
        }
        finally {
            $WhatIfPreference = $false
        }
        (Get-RequestTotal $Box) | Should -Be $before
    }

    Context 'a CSV with rows the contract refuses' {
        BeforeAll {
            # What-if lines go to the host, not to a stream: a child pwsh's output shows them as a user sees them.
            $csv = Join-Path ([IO.Directory]::CreateTempSubdirectory('gs-whatif-').FullName) 'scores.csv'
            'UserId,Value', 'whatif.a,5', 'whatif.b,-5', 'whatif c,5', 'whatif.d,7' | Set-Content $csv
            $script:SentBefore = Get-RequestTotal $Box
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
            (Get-RequestTotal $Box) | Should -Be $SentBefore
        }
    }
}
