# The help as users meet it: Get-Help for every exported cmdlet and about_GiftStudio, from the
# MAML that build/New-MamlHelp.ps1 generates out of docs/help. The build does not generate it
# yet, so the help is generated here into a temporary copy of the staged module. Get-Help is
# asked in a fresh pwsh that imports that copy: this session may already hold the staged
# assembly (other test files import it) and Get-Help caches what it found per session.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')
    $script:CommandCases = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $script:Repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:Generator = Join-Path $Repository 'build/New-MamlHelp.ps1'
    $script:HelpSource = Join-Path $Repository 'docs/help'
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:Work = [IO.Directory]::CreateTempSubdirectory('gs-help-').FullName
    $script:ModuleCopy = Join-Path $Work 'GiftStudio'
    Copy-Item -Recurse -Path $env:GIFTSTUDIO_TEST_MODULE -Destination $ModuleCopy

    function script:Invoke-ChildPwsh([string] $Script) {
        # Runs a script in a fresh pwsh; its last output line is JSON.
        $output = & $Pwsh -NoProfile -NonInteractive -Command $Script 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }

    # Generate the help into the copy, as the build would.
    $script:Generation = Invoke-ChildPwsh @"
& '$Generator' -SourcePath '$HelpSource' -OutputPath '$ModuleCopy' -ModulePath '$ModuleCopy' | Out-Null
"@
    $script:MamlPath = Join-Path $ModuleCopy 'en-US/GiftStudio.PowerShell.dll-Help.xml'

    # Everything Get-Help says, and the real parameters, read in one fresh process.
    $collect = @'
$ErrorActionPreference = 'Stop'
$module = Import-Module (Join-Path $env:GS_HELP_MODULE 'GiftStudio.psd1') -PassThru
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$commands = foreach ($command in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $help = Get-Help $command.Name -Full
    $real = @($command.Parameters.Values | Where-Object {
        $_.Name -notin $common -and
        -not ($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow })
    } | ForEach-Object Name)
    [pscustomobject]@{
        Name            = $command.Name
        Verb            = $command.Verb
        Synopsis        = "$($help.Synopsis)"
        Description     = (@($help.description) | ForEach-Object { $_.Text }) -join "`n"
        RealParameters  = $real
        ParameterSets   = @($command.ParameterSets).Count
        SyntaxItems     = @($help.syntax.syntaxItem).Count
        HelpParameters  = @(@($help.parameters.parameter) | Where-Object { $_ } | ForEach-Object {
            $parameterHelp = Get-Help $command.Name -Parameter $_.name
            [pscustomobject]@{ Name = "$($_.name)"; Description = (@($parameterHelp.description) | ForEach-Object { $_.Text }) -join "`n" }
        })
        Examples        = @(@($help.examples.example) | Where-Object { $_ } | ForEach-Object {
            [pscustomobject]@{ Title = "$($_.title)"; Code = "$($_.code)"; Remarks = (@($_.remarks) | ForEach-Object { $_.Text }) -join "`n" }
        })
    }
}
$about = Get-Help about_GiftStudio | Out-String
[pscustomobject]@{
    Commands       = @($commands)
    About          = $about
    AboutTopics    = @(Get-Help about_GiftStudio* | ForEach-Object { "$($_.Name)" })
    ApprovedVerbs  = @(Get-Verb | ForEach-Object Verb)
} | ConvertTo-Json -Depth 6 -Compress
'@
    $env:GS_HELP_MODULE = $ModuleCopy
    try {
        $script:Collection = Invoke-ChildPwsh $collect
    }
    finally {
        Remove-Item Env:GS_HELP_MODULE -ErrorAction Ignore
    }
    $script:Help = if ($Collection.ExitCode -eq 0) { $Collection.Output[-1] | ConvertFrom-Json } else { $null }
    $script:ExportedCount = @((Import-PowerShellDataFile (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')).CmdletsToExport).Count
    function script:Get-CommandHelp([string] $Name) { $Help.Commands | Where-Object Name -eq $Name }

    Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1') -Force
}

AfterAll {
    if ($script:Work) { Remove-Item -Recurse -Force $Work -ErrorAction Ignore }
}

Describe 'New-MamlHelp.ps1' {
    It 'generates the help into the module copy' {
        $Generation.ExitCode | Should -Be 0 -Because ($Generation.Output -join "`n")
        Test-Path $MamlPath | Should -BeTrue
        Test-Path (Join-Path $ModuleCopy 'en-US/about_GiftStudio.help.txt') | Should -BeTrue
    }

    It 'writes one well-formed MAML file named after the cmdlet assembly, with every exported cmdlet' {
        [xml] $maml = Get-Content -Raw -LiteralPath $MamlPath
        $maml.helpItems.schema | Should -Be 'maml'
        $names = @($maml.helpItems.command | ForEach-Object { $_.details.name })
        $names | Sort-Object | Should -Be (@((Get-Module GiftStudio).ExportedCmdlets.Keys) | Sort-Object)
        $implementation = (Get-Command New-SocialGift).ImplementingType.Assembly.Location
        Split-Path -Leaf $MamlPath | Should -Be ((Split-Path -Leaf $implementation) + '-Help.xml')
    }

    It 'collects the help in a fresh process' {
        $Collection.ExitCode | Should -Be 0 -Because ($Collection.Output -join "`n")
        @($Help.Commands).Count | Should -Be $ExportedCount
    }
}

Describe 'Get-Help <Name>' -ForEach $CommandCases {
    BeforeAll {
        $CommandHelp = Get-CommandHelp $Name
        $markdown = Get-Content -Raw -LiteralPath (Join-Path $HelpSource "$Name.md")
        $SynopsisInMarkdown = ([regex]::Match($markdown, '(?s)## SYNOPSIS\s*(.*?)\s*\n## ').Groups[1].Value -replace '\s+', ' ').Trim()
    }

    It 'shows the synopsis written in docs/help/<Name>.md' {
        $SynopsisInMarkdown | Should -Not -BeNullOrEmpty
        ($CommandHelp.Synopsis -replace '\s+', ' ').Trim() | Should -Be $SynopsisInMarkdown
    }

    It 'has a synopsis that is not the generated syntax' {
        $CommandHelp.Synopsis.Trim() | Should -Not -BeNullOrEmpty
        $CommandHelp.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))(\s|$)"
        $CommandHelp.Synopsis | Should -Not -Match '\[<CommonParameters>\]'
    }

    It 'has a description' {
        $CommandHelp.Description.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter (except the common ones and InputObject)' {
        $described = @($CommandHelp.HelpParameters | Where-Object { $_.Description.Trim() } | ForEach-Object Name)
        foreach ($parameter in $CommandHelp.RealParameters) {
            $described | Should -Contain $parameter -Because "-$parameter of $Name needs a description"
        }
        $CommandHelp.RealParameters | Should -Not -Contain 'InputObject'
    }

    It 'describes no parameter the cmdlet does not have' {
        foreach ($parameter in $CommandHelp.HelpParameters) {
            $CommandHelp.RealParameters | Should -Contain $parameter.Name
        }
    }

    It 'shows one syntax per parameter set' {
        $CommandHelp.SyntaxItems | Should -Be $CommandHelp.ParameterSets
    }

    It 'has at least two examples, each with a title, code and remarks' {
        @($CommandHelp.Examples).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $CommandHelp.Examples) {
            $example.Title | Should -Match 'Example \d+: \S'
            $example.Code.Trim() | Should -Not -BeNullOrEmpty
            $example.Remarks.Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'has a runbook-style example (-ErrorAction Stop or -ErrorVariable, an exit code, Export-Csv)' {
        $runbooks = @($CommandHelp.Examples | Where-Object {
            $_.Code -match '-ErrorAction\s+Stop|-ErrorVariable' -and $_.Code -match '\bexit\b' -and $_.Code -match 'Export-Csv'
        })
        $runbooks.Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'Runbook examples' {
    It 'show, for every API cmdlet (those with -Connection), a runbook that takes the key from SOCIALOS_API_KEY' {
        $apiCommands = @($Help.Commands | Where-Object { $_.RealParameters -contains 'Connection' })
        $apiCommands.Count | Should -BeGreaterThan 0
        foreach ($command in $apiCommands) {
            @($command.Examples | Where-Object { $_.Code -match 'SOCIALOS_API_KEY' }).Count |
                Should -BeGreaterOrEqual 1 -Because "$($command.Name) should show the runbook way of connecting"
        }
    }
}

Describe 'about_GiftStudio' {
    It 'is found by Get-Help' {
        $Help.AboutTopics | Should -Contain 'about_GiftStudio'
        $Help.About | Should -Match 'about_GiftStudio'
        $Help.About | Should -Match 'SHORT DESCRIPTION'
    }

    It 'covers <Topic>' -ForEach @(
        @{ Topic = 'connecting'; Pattern = 'SOCIALOS_API_KEY' }
        @{ Topic = 'the base URI variable'; Pattern = 'SOCIALOS_BASE_URI' }
        @{ Topic = 'the per-runspace connection'; Pattern = 'runspace' }
        @{ Topic = 'the sandbox'; Pattern = 'Start-SocialSandbox' }
        @{ Topic = 'fault injection'; Pattern = 'retry-after=S' }
        @{ Topic = 'strict CSV booleans'; Pattern = 'yes' }
        @{ Topic = 'ISO 8601 dates'; Pattern = 'ISO 8601' }
        @{ Topic = 'retries and backoff'; Pattern = 'Retry-After' }
        @{ Topic = 'idempotency keys'; Pattern = 'IdempotencyKeyReused' }
        @{ Topic = 'the error ids'; Pattern = 'ApiRateLimited' }
        @{ Topic = 'the security of the key'; Pattern = 'SecureString' }
    ) {
        $Help.About | Should -Match $Pattern
    }
}

Describe 'Verbs' {
    It 'uses an approved verb for every exported command' {
        $approved = @(Get-Verb | ForEach-Object Verb)
        foreach ($command in (Get-Command -Module GiftStudio)) {
            $approved | Should -Contain $command.Verb -Because "$($command.Name) should use an approved verb"
        }
    }

    It 'imports without an unapproved-verb warning' {
        $result = & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')' -WarningVariable w -WarningAction SilentlyContinue; `$w.Count"
        $result | Select-Object -Last 1 | Should -Be '0'
    }
}

Describe 'New-MamlHelp.ps1 refuses incomplete help' {
    BeforeAll {
        # Four broken copies of docs/help, one problem each, checked in one child process.
        $cases = [ordered]@{
            MissingFile      = { param($dir) Remove-Item (Join-Path $dir 'Get-SocialLeaderboard.md') }
            Undescribed      = { param($dir) $f = Join-Path $dir 'Get-SocialLeaderboard.md'; (Get-Content -Raw $f) -replace '(?s)### -Top.*?(?=### -Connection)', '' | Set-Content $f }
            UnknownParameter = { param($dir) $f = Join-Path $dir 'Get-SocialLeaderboard.md'; (Get-Content -Raw $f) -replace '### -Connection', "### -Bottom`n`nNot a parameter.`n`n### -Connection" | Set-Content $f }
            OneExample       = { param($dir) $f = Join-Path $dir 'Get-SocialLeaderboard.md'; (Get-Content -Raw $f) -replace '(?s)### Example 2.*?(?=## NOTES)', '' | Set-Content $f }
        }
        $script:Broken = [ordered]@{}
        foreach ($name in $cases.Keys) {
            $dir = Join-Path $Work "docs-$name"
            Copy-Item -Recurse $HelpSource $dir
            & $cases[$name] $dir
            $Broken[$name] = $dir
        }
        $checks = foreach ($name in $Broken.Keys) {
            $out = Join-Path $Work "out-$name"
            "try { & '$Generator' -SourcePath '$($Broken[$name])' -OutputPath '$out' -ModulePath '$ModuleCopy' | Out-Null; `$r['$name'] = 'no error' } catch { `$r['$name'] = `$_.Exception.Message }"
        }
        $script:Refusals = (Invoke-ChildPwsh ("`$r = @{}`n" + ($checks -join "`n") + "`n`$r | ConvertTo-Json -Compress")).Output[-1] | ConvertFrom-Json
    }

    It 'throws when <Case>' -ForEach @(
        @{ Case = 'MissingFile'; Message = 'Get-SocialLeaderboard\.md is missing' }
        @{ Case = 'Undescribed'; Message = 'parameter -Top is not described' }
        @{ Case = 'UnknownParameter'; Message = 'describes -Bottom, which Get-SocialLeaderboard does not have' }
        @{ Case = 'OneExample'; Message = '1 example\(s\); at least two are required' }
    ) {
        $Refusals.$Case | Should -Match $Message
        Test-Path (Join-Path $Work "out-$Case/en-US/GiftStudio.PowerShell.dll-Help.xml") | Should -BeFalse
    }
}
