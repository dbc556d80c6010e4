#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, stages, tests and demonstrates GiftStudio.
.DESCRIPTION
    Run through the repository's local PowerShell tool:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
    Tasks:
        Build  compile the solution and stage the module under out/GiftStudio
        Test   Build, then every xUnit and Pester test; ends with 'N passed, N failed[, N skipped]'
               (-Filter NAME: only the tests whose name, or Pester file name, contains NAME)
        Clean  remove out/, bin/ and obj/ folders and the restored test tools
        Demo   Build, start a seeded sandbox, run examples/Invoke-GiftStudioAgent.ps1, stop it
        Package  Build, then a versioned module folder, the module's .nupkg and the sandbox's .NET tool
                 .nupkg (GiftStudio.Sandbox, command giftstudio-sandbox) under out/package
        Bench  Build, then bench/Invoke-Benchmark.ps1 (minutes; not part of Test): writes bench/REPORT.md
               (-Server: bench/Invoke-ServerBench.ps1 instead, the sandbox against a minimal ASP.NET
               Core app under wrk, and their start-up: section 8 of bench/REPORT.md)
        Screenshot  Build, then the README's picture of the HTML report (docs/images/currency-report.png)
               from a real sandbox with headless Chromium (Debian's chromium package)
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Demo', 'Package', 'Bench', 'Screenshot')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Passed on to bench/Invoke-Benchmark.ps1, e.g. @{ Rows = 2000; Repetitions = 1 }
    # (with -Server, to bench/Invoke-ServerBench.ps1, e.g. @{ Rounds = 3 }).
    [hashtable] $BenchArguments = @{},

    # -Task Bench: the sandbox's server bench (bench/Invoke-ServerBench.ps1) instead of the module's.
    [switch] $Server,

    # Test only a part: xUnit tests whose full name contains it, and the Pester files whose name
    # contains it (or, when no file's does, the Pester tests whose full name does). The style
    # check is skipped then. E.g. -Filter Report, -Filter ReportBrowserTests, -Filter Restart.
    [string] $Filter
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'GiftStudio'
$ToolsDir = Join-Path $Root '.tools'
$TestResults = Join-Path $Out 'TestResults'
$PesterVersion = '6.2.0'

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Write-Host '== Build' -ForegroundColor Cyan
    Invoke-Native dotnet @('build', (Join-Path $Root 'GiftStudio.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v', 'minimal')
    Remove-Item -Recurse -Force $ModuleOut -ErrorAction Ignore
    New-Item -ItemType Directory -Force $ModuleOut | Out-Null
    # The module: manifest, format file, the assemblies whose types users see (cmdlets, core)
    # and the loader; everything third-party under dependencies/, which PowerShell 7 loads
    # into a private AssemblyLoadContext.
    $binaries = Join-Path $Root "src/GiftStudio.PowerShell/bin/$Configuration/netstandard2.0"
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'dependencies')
    foreach ($dll in Get-ChildItem $binaries -Filter '*.dll') {
        $target = if ($dll.BaseName -in 'GiftStudio.PowerShell', 'GiftStudio.Core') { $ModuleOut } else { $dependencies }
        Copy-Item $dll.FullName -Destination $target
    }
    Copy-Item (Join-Path $Root "src/GiftStudio.Loader/bin/$Configuration/net8.0/GiftStudio.Loader.dll") -Destination $ModuleOut
    Copy-Item (Join-Path $Root 'GiftStudio.psd1'), (Join-Path $Root 'GiftStudio.Format.ps1xml'), (Join-Path $Root 'GiftStudio.Types.ps1xml') -Destination $ModuleOut
    # The sandbox ships inside the module folder so that Start-SocialSandbox finds it offline.
    $sandboxOut = Join-Path $ModuleOut 'sandbox'
    $sandboxProject = Join-Path $Root 'src/GiftStudio.Sandbox/GiftStudio.Sandbox.csproj'
    Invoke-Native dotnet @('publish', $sandboxProject, '-c', $Configuration, '--no-build', '--nologo', '-v', 'quiet', '-o', $sandboxOut)
    Add-ReadyToRunCode $sandboxProject $sandboxOut
    # External MAML help, generated from docs/help (a child pwsh, so this session never loads the module).
    Invoke-Native (Join-Path $PSHOME 'pwsh') @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'build/New-MamlHelp.ps1'),
        '-SourcePath', (Join-Path $Root 'docs/help'), '-OutputPath', $ModuleOut, '-ModulePath', $ModuleOut)
    Write-Host "Staged $ModuleOut"
}

# The sandbox starts faster with its assemblies precompiled (ReadyToRun; bench/ANALYSIS.md,
# issue #26). A publish for one platform keeps that platform's native SQLite only, so it goes to a
# private temporary folder (its own obj/ too: the solution's restore stays portable), and only the
# managed assemblies replace the portable folder's. They still hold their IL: on another platform
# the runtime ignores the precompiled code and JIT-compiles, as before. Without the compiler pack
# (an offline machine) the portable IL stays, with a warning.
function Add-ReadyToRunCode([string] $Project, [string] $Destination) {
    $platform = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $temporary = [IO.Directory]::CreateTempSubdirectory('giftstudio-readytorun-').FullName
    try {
        & dotnet publish $Project -c $Configuration -r $platform --self-contained false -p:PublishReadyToRun=true `
            --artifacts-path (Join-Path $temporary 'artifacts') -o (Join-Path $temporary 'publish') --nologo -v quiet | Out-Host
        if ($LASTEXITCODE -ne 0) {
            Write-Warning "The sandbox stays JIT-compiled: its ReadyToRun publish for $platform failed (exit code $LASTEXITCODE)."
            return
        }
        foreach ($assembly in Get-ChildItem (Join-Path $temporary 'publish') -Filter '*.dll') {
            $portable = Join-Path $Destination $assembly.Name
            if (Test-Path $portable) { Copy-Item $assembly.FullName -Destination $portable -Force }
        }
    }
    finally {
        Remove-Item -Recurse -Force $temporary -ErrorAction Ignore
    }
}

function Get-PesterModulePath {
    # PSGallery is not reachable: Pester comes from NuGet through a PackageDownload item.
    $manifest = Join-Path $ToolsDir "packages/pester/$PesterVersion/tools/Pester.psd1"
    $oldExtensions = Join-Path $ToolsDir 'packages/microsoft.extensions.http/8.0.0'
    if (-not (Test-Path $manifest) -or -not (Test-Path $oldExtensions)) {
        Write-Host "Restoring test tools (Pester $PesterVersion, Microsoft.Extensions 8.0) from NuGet"
        Invoke-Native dotnet @('restore', (Join-Path $Root 'build/TestTools.Restore.csproj'),
            '--packages', (Join-Path $ToolsDir 'packages'), '--nologo', '-v', 'quiet')
    }
    if (-not (Test-Path $manifest)) { throw "Pester $PesterVersion was restored but $manifest is missing." }
    $manifest
}

# Optional tools some tests use; a test whose tool is missing is skipped (never failed), and
# says how to enable it, except under CI=true, where CI installs them (.ci/run).
function Write-OptionalTools {
    # The same rule as the test's (ReportBrowserTests' Chromium.Find): the variable, else an
    # executable chromium or chromium-browser on PATH.
    $chromium = if ($env:GIFTSTUDIO_CHROMIUM) { $env:GIFTSTUDIO_CHROMIUM } else {
        Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore |
            Where-Object { $IsWindows -or ((Get-Item $_.Source).UnixFileMode -band [IO.UnixFileMode] 'UserExecute, GroupExecute, OtherExecute') } |
            Select-Object -First 1 -ExpandProperty Source
    }
    $tools = [ordered]@{
        'chromium (the report''s browser test)' = $chromium
        'setsid (the Ctrl+C tests, Linux)'     = (Get-Command setsid -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
        'tmux (the tab-completion tests, Linux)' = (Get-Command tmux -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    }
    $found = @(foreach ($name in $tools.Keys) { if ($tools[$name]) { "$name at $($tools[$name])" } })
    $missing = @(foreach ($name in $tools.Keys) { if (-not $tools[$name]) { $name } })
    Write-Host ("Optional tools found: {0}" -f $(if ($found) { $found -join '; ' } else { 'none' }))
    Write-Host ("Optional tools not found: {0}" -f $(if ($missing) { $missing -join '; ' } else { 'none' }))
}

# A test's outcome by name, with the file that holds it, from a TRX file.
function Read-TrxResults {
    param([string] $Path, [string] $ProjectFolder)
    [xml] $trx = Get-Content -Raw -LiteralPath $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    $classes = @{}
    # A run with no tests (a -Filter that matches none here) has neither element.
    foreach ($test in $trx.SelectNodes("//*[local-name()='UnitTest']")) { $classes[$test.id] = $test.TestMethod.className }
    $entries = foreach ($result in $trx.SelectNodes("//*[local-name()='UnitTestResult']")) {
        if ($result.outcome -notin 'Failed', 'NotExecuted', 'Error', 'Timeout', 'Aborted') { continue }
        $class = ($classes[$result.testId] -split '\.')[-1]
        $file = Get-ChildItem $ProjectFolder -Filter '*.cs' -Recurse |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
            Select-String -Pattern "\bclass $([regex]::Escape($class))\b" -List | Select-Object -First 1
        # The failure's or the skip's message (TRX elements are optional: read them by path).
        $reason = $result.SelectSingleNode("*[local-name()='Output']/*[local-name()='ErrorInfo']/*[local-name()='Message']")?.InnerText
        [pscustomobject]@{
            Skipped = $result.outcome -eq 'NotExecuted'
            Name    = $result.testName
            File    = $(if ($file) { [IO.Path]::GetRelativePath($Root, $file.Path) })
            Reason  = $(if ($reason) { ($reason -split "`n")[0].Trim() })
        }
    }
    [pscustomobject]@{
        Passed   = [int] $counters.passed
        Failed   = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        # The TRX counters leave skipped tests out (total = executed + skipped): count the results.
        Skipped  = @($entries | Where-Object Skipped).Count
        Failures = @($entries | Where-Object { -not $_.Skipped })
        Skips    = @($entries | Where-Object Skipped)
    }
}

function Invoke-XunitTests {
    $totals = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Failures = @(); Skips = @() }
    $projects = Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse
    foreach ($project in $projects) {
        Write-Host "== xUnit: $($project.BaseName)" -ForegroundColor Cyan
        $trxName = "$($project.BaseName).trx"
        $trxPath = Join-Path $TestResults $trxName
        Remove-Item $trxPath -ErrorAction Ignore
        $filterArguments = if ($Filter) { @('--filter', "FullyQualifiedName~$Filter") } else { @() }
        & dotnet test $project.FullName -c $Configuration --no-build --nologo @filterArguments `
            --logger "trx;LogFileName=$trxName" --logger 'console;verbosity=minimal' --results-directory $TestResults | Out-Host
        if (Test-Path $trxPath) {
            $counts = Read-TrxResults $trxPath $project.DirectoryName
            $totals.Passed += $counts.Passed; $totals.Failed += $counts.Failed; $totals.Skipped += $counts.Skipped
            $totals.Failures += $counts.Failures; $totals.Skips += $counts.Skips
        }
        elseif ($LASTEXITCODE -ne 0) {
            # The run died before writing results: count the project as one failure, never as nothing.
            Write-Warning "$($project.BaseName) produced no results (exit code $LASTEXITCODE)."
            $totals.Failed += 1
            $totals.Failures += [pscustomobject]@{ Name = "$($project.BaseName) (the test run died: no results)"; File = [IO.Path]::GetRelativePath($Root, $project.FullName); Reason = "exit code $LASTEXITCODE" }
        }
    }
    $totals
}

function Invoke-PesterTests {
    Write-Host '== Pester' -ForegroundColor Cyan
    $pester = Get-PesterModulePath
    $summaryPath = Join-Path $TestResults 'pester-summary.json'
    Remove-Item $summaryPath -ErrorAction Ignore
    # A child pwsh keeps the tests' module loads and state out of this build session.
    $runner = Join-Path $Root 'tests/Pester/Invoke-PesterRun.ps1'
    $filterArguments = if ($Filter) { @('-Filter', $Filter) } else { @() }
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $runner `
        -PesterManifest $pester -TestPath (Join-Path $Root 'tests/Pester') @filterArguments -ModulePath $ModuleOut `
        -ResultPath (Join-Path $TestResults 'pester.xml') -SummaryPath $summaryPath | Out-Host
    if (-not (Test-Path $summaryPath)) {
        Write-Warning "The Pester run produced no summary (exit code $LASTEXITCODE)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Skips = @()
            Failures = @([pscustomobject]@{ Name = 'Pester (the run died: no summary)'; File = 'tests/Pester'; Reason = "exit code $LASTEXITCODE" }) }
    }
    $summary = Get-Content -Raw $summaryPath | ConvertFrom-Json
    [pscustomobject]@{ Passed = $summary.Passed; Failed = $summary.Failed; Skipped = $summary.Skipped; Failures = @($summary.Failures); Skips = @($summary.Skips) }
}

# The tree's one style (.editorconfig): a change that breaks it fails the test command.
function Test-CodeStyle {
    Write-Host '== Style: dotnet format --verify-no-changes' -ForegroundColor Cyan
    # The solution holds every C# project, the bench included.
    & dotnet format (Join-Path $Root 'GiftStudio.PowerShell.sln') --verify-no-changes --no-restore | Out-Host
    if ($LASTEXITCODE -eq 0) { return $true }
    Write-Warning 'The code is not in the tree''s style (.editorconfig): run dotnet format GiftStudio.PowerShell.sln, then commit.'
    $false
}

function Invoke-Test {
    Write-OptionalTools
    Invoke-Build
    New-Item -ItemType Directory -Force $TestResults | Out-Null
    $styleClean = if ($Filter) { Write-Host "== Style: skipped (-Filter $Filter)"; $true } else { Test-CodeStyle }
    $xunit = Invoke-XunitTests
    $pester = Invoke-PesterTests
    $passed = $xunit.Passed + $pester.Passed
    # A style break counts as one failure: the counts of the suites stay what they are.
    $failed = $xunit.Failed + $pester.Failed + $(if ($styleClean) { 0 } else { 1 })
    $skipped = $xunit.Skipped + $pester.Skipped
    $failures = @($xunit.Failures) + @($pester.Failures) +
        @(if (-not $styleClean) { [pscustomobject]@{ Name = 'Style: dotnet format --verify-no-changes'; File = 'GiftStudio.PowerShell.sln'; Reason = 'run dotnet format GiftStudio.PowerShell.sln' } })
    Write-Host ("xUnit: {0} passed, {1} failed, {2} skipped; Pester: {3} passed, {4} failed, {5} skipped" -f `
        $xunit.Passed, $xunit.Failed, $xunit.Skipped, $pester.Passed, $pester.Failed, $pester.Skipped)
    # Every failure by name, here and in a file, so that a red run can be chased.
    $failedList = Join-Path $TestResults 'failed.txt'
    $lines = @(foreach ($f in $failures) { "FAILED: $($f.Name) ($($f.File))$(if ($f.Reason) { ": $($f.Reason)" })" })
    Set-Content -LiteralPath $failedList -Value $lines
    foreach ($line in $lines) { Write-Host $line -ForegroundColor Red }
    foreach ($s in @($xunit.Skips) + @($pester.Skips)) { Write-Host "SKIPPED: $($s.Name) ($($s.File))$(if ($s.Reason) { ": $($s.Reason)" })" -ForegroundColor Yellow }
    if ($failures) { Write-Host "The failed tests are listed in $failedList" }
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    # CI reads this closing line.
    Write-Host $line
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Write-Host '== Demo: the complete agent against a local sandbox' -ForegroundColor Cyan
    # A child pwsh imports the staged module exactly as a user would.
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'build/Invoke-Demo.ps1') `
        -ModulePath $ModuleOut -RepositoryRoot $Root | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Package {
    Invoke-Build
    Write-Host '== Package' -ForegroundColor Cyan
    $version = (Import-PowerShellDataFile (Join-Path $ModuleOut 'GiftStudio.psd1')).ModuleVersion
    $packageOut = Join-Path $Out 'package'
    Remove-Item -Recurse -Force $packageOut -ErrorAction Ignore
    $folder = New-Item -ItemType Directory (Join-Path $packageOut "GiftStudio/$version")
    Copy-Item -Recurse (Join-Path $ModuleOut '*') $folder
    # PSResourceGet (in pwsh 7.4+) writes the .nupkg; its repository registration is temporary.
    $name = 'GiftStudioBuild' + [guid]::NewGuid().ToString('n').Substring(0, 8)
    Register-PSResourceRepository -Name $name -Uri $packageOut -Trusted
    try {
        Publish-PSResource -Path $folder.FullName -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    # The sandbox as a .NET tool, beside the module: a pipeline can install it without PowerShell.
    Invoke-Native dotnet @('pack', (Join-Path $Root 'src/GiftStudio.Sandbox/GiftStudio.Sandbox.csproj'),
        '-c', $Configuration, '--no-build', '--nologo', '-v', 'quiet', '-o', $packageOut)
    Write-Host "Module folder: $folder"
    Write-Host "Package: $(Join-Path $packageOut "GiftStudio.$version.nupkg")"
    Write-Host "Sandbox tool: $(Join-Path $packageOut "GiftStudio.Sandbox.$version.nupkg") (dotnet tool install GiftStudio.Sandbox --add-source $packageOut)"
}

function Invoke-Bench {
    Invoke-Build
    if ($Server) {
        Write-Host '== Bench: the sandbox against the floor (wrk)' -ForegroundColor Cyan
        $floor = Join-Path $Root "bench/GiftStudio.Floor/bin/$Configuration/net10.0/GiftStudio.Floor.dll"
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-ServerBench.ps1') `
            -SandboxPath (Join-Path $ModuleOut 'sandbox/GiftStudio.Sandbox.dll') -FloorPath $floor @BenchArguments | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "The server bench failed (exit code $LASTEXITCODE)." }
        return
    }
    Write-Host '== Bench' -ForegroundColor Cyan
    $tool = Join-Path $Root "bench/GiftStudio.Bench/bin/$Configuration/net10.0/GiftStudio.Bench.dll"
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmark.ps1') `
        -ModulePath $ModuleOut -BenchTool $tool @BenchArguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The benchmark failed (exit code $LASTEXITCODE)." }
}

function Invoke-Screenshot {
    Invoke-Build
    Write-Host '== Screenshot: the HTML report in headless Chromium' -ForegroundColor Cyan
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $Root 'build/New-ReportScreenshot.ps1') `
        -ModulePath $ModuleOut -OutputPath (Join-Path $Root 'docs/images/currency-report.png') | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The screenshot failed (exit code $LASTEXITCODE)." }
}

function Invoke-Clean {
    Write-Host '== Clean' -ForegroundColor Cyan
    foreach ($dir in @($Out, $ToolsDir)) { Remove-Item -Recurse -Force $dir -ErrorAction Ignore }
    Get-ChildItem $Root -Directory -Recurse -Include 'bin', 'obj' |
        Where-Object { $_.FullName -notmatch '[\\/]\.git[\\/]' } |
        Remove-Item -Recurse -Force -ErrorAction Ignore
}

foreach ($name in $Task) {
    switch ($name) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Package' { Invoke-Package }
        'Bench' { Invoke-Bench }
        'Screenshot' { Invoke-Screenshot }
    }
}
