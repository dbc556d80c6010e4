# The Pester tests' shared helpers, each written once:
# - a sandbox of the test's own, started through the module's own Start-SocialSandbox, so the
#   tests run what users run (loopback, a free port read from the server's ready file, a
#   session of its own, --parent-pid, the key handed over in a file deleted once read, a start
#   timeout generous enough for a loaded machine). What this adds: a key the test knows in
#   plain text (for headers, and to reopen a -DataPath on the same tenant), memory storage
#   unless the test gives a data file, and a stop that kills (Start-TestSandbox, Stop-TestSandbox,
#   Connect-TestSandbox);
# - a sandbox's key in plain text and what it answers and counts (Get-PlainKey, Invoke-Sandbox,
#   Get-SandboxStats, Get-RequestTotal);
# - a script in a fresh pwsh or a fresh runspace (Invoke-ChildPwsh, Invoke-InFreshRunspace).
# A test about Start-SocialSandbox itself calls it directly, and says so.
Set-StrictMode -Version 3.0

# The staged module, as a nested module of this one: the tests that only speak HTTP do not see its cmdlets.
$Manifest = Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1'
Import-Module $Manifest

function Start-TestSandbox {
    # -Key: a fixed key, so a restart on the same -DataPath reaches the same tenant.
    # -Now, -Seed, -Faults: as Start-SocialSandbox's; an empty one is left out (no faults).
    # Returns Start-SocialSandbox's own object (it pipes into Connect-SocialOS), with the key in
    # plain text (Key, Headers), the API's URI without a trailing slash (ApiUri) and the
    # server's root for /health and /_sandbox (RootUri).
    param([string] $DataPath, [string] $Key, [object] $Now, [int[]] $Seed, [string] $Faults)
    if (-not $Key) { $Key = 'sk_test_' + [guid]::NewGuid().ToString('n') }
    $parameters = @{ ApiKey = ConvertTo-SecureString $Key -AsPlainText -Force }
    # Without a file of the test's own, durability is not what is tested: in memory.
    if ($DataPath) { $parameters.DataPath = $DataPath } else { $parameters.InMemory = $true }
    foreach ($name in 'Now', 'Seed', 'Faults') {
        if ($PSBoundParameters[$name]) { $parameters[$name] = $PSBoundParameters[$name] }
    }
    $sandbox = GiftStudio\Start-SocialSandbox @parameters -ErrorAction Stop
    $sandbox | Add-Member -PassThru -NotePropertyMembers ([ordered]@{
            Key     = $Key
            Headers = @{ Authorization = "Bearer $Key" }
            ApiUri  = $sandbox.BaseUri.AbsoluteUri.TrimEnd('/')
            RootUri = $sandbox.BaseUri.GetLeftPart([UriPartial]::Authority)
        })
}

function Stop-TestSandbox {
    # A kill (SIGKILL, the process tree), not Stop-SocialSandbox's polite SIGTERM: what was
    # committed stays and nothing else gets to finish, which the restart tests rely on. Then
    # Stop-SocialSandbox finds the process gone and removes the folder it made (its log).
    param([Parameter(Mandatory)] $Sandbox)
    $process = Get-Process -Id $Sandbox.ProcessId -ErrorAction Ignore
    if ($process) {
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.WaitForExit(30000) | Out-Null
        $process.Dispose()
    }
    GiftStudio\Stop-SocialSandbox -ProcessId $Sandbox.ProcessId -Confirm:$false
}

function Connect-TestSandbox {
    # A connection to the sandbox, made current; -Settings: more of Connect-SocialOS's parameters.
    param([Parameter(Mandatory)] $Sandbox, [hashtable] $Settings = @{})
    GiftStudio\Connect-SocialOS -BaseUri $Sandbox.BaseUri -ApiKey $Sandbox.ApiKey -PassThru @Settings
}

function Get-PlainKey {
    # The key of a sandbox as Start-SocialSandbox returned it (a SecureString), in plain text.
    param([Parameter(Mandatory)] $Sandbox)
    [System.Net.NetworkCredential]::new('', $Sandbox.ApiKey).Password
}

function Get-SandboxStats {
    # GET /_sandbox/stats: the requests the sandbox counted by route, and the faults it injected.
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-Sandbox $Sandbox '/_sandbox/stats'
}

function Invoke-Sandbox {
    # GET a path of the sandbox (/v2/..., /_sandbox/...) with its key; the parsed answer.
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Path)
    Invoke-RestMethod "$($Sandbox.BaseUri.GetLeftPart([UriPartial]::Authority))$Path" -Headers @{ Authorization = "Bearer $(Get-PlainKey $Sandbox)" }
}

function Get-RequestTotal {
    # The API requests the sandbox counted (its own /_sandbox routes left out).
    param([Parameter(Mandatory)] $Sandbox)
    $total = 0
    foreach ($route in (Get-SandboxStats $Sandbox).requests.PSObject.Properties) {
        if ($route.Name -notlike '*/_sandbox/*') { $total += $route.Value }
    }
    $total
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh (Join-Path $PSHOME pwsh: under 'dotnet pwsh' the current
    # process is dotnet) with extra environment variables; returns exit code, output and errors.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $start = [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $start.ArgumentList.Add($a) }
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($start)
    $out = $process.StandardOutput.ReadToEndAsync()
    $err = $process.StandardError.ReadToEndAsync()
    $process.WaitForExit()
    [pscustomobject]@{
        ExitCode = $process.ExitCode
        Output   = $out.Result
        Lines    = @($out.Result -split "`n" | ForEach-Object Trim)
        Error    = $err.Result
    }
}

function Invoke-InFreshRunspace {
    # Runs a script in a runspace of its own, the staged module imported anew: no current
    # connection until the script makes one. Returns its output, errors and progress records.
    param([Parameter(Mandatory)] [string] $Script, [object[]] $Arguments = @())
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript("Import-Module '$Manifest'").AddStatement().AddScript($Script)
        foreach ($a in $Arguments) { $null = $ps.AddArgument($a) }
        $output = $ps.Invoke()
        [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Progress = @($ps.Streams.Progress) }
    }
    finally { $ps.Dispose() }
}

Export-ModuleMember -Function Start-TestSandbox, Stop-TestSandbox, Connect-TestSandbox, Get-PlainKey, Invoke-Sandbox, Get-SandboxStats,
    Get-RequestTotal, Invoke-ChildPwsh, Invoke-InFreshRunspace
