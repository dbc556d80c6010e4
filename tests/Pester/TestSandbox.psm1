# Starts and stops a sandbox for the Pester tests through the module's own Start-SocialSandbox,
# so the tests run what users run (loopback, a free port read from the server's ready file,
# a session of its own, --parent-pid, the key handed over in a file deleted once read, a start
# timeout generous enough for a loaded machine). What this adds: a key the test knows in plain
# text (for headers, and to reopen a -DataPath on the same tenant), memory storage unless the
# test gives a data file, and a stop that kills.
Set-StrictMode -Version 3.0

# The staged module, as a nested module of this one: the tests that only speak HTTP do not see its cmdlets.
Import-Module (Join-Path $env:GIFTSTUDIO_TEST_MODULE 'GiftStudio.psd1')

function Start-TestSandbox {
    # -Key: a fixed key, so a restart on the same -DataPath reaches the same tenant.
    # -Now, -Seed, -Faults: as Start-SocialSandbox's; an empty one is left out (no faults).
    param([string] $DataPath, [string] $Key, [datetime] $Now, [int[]] $Seed, [string] $Faults)
    if (-not $Key) { $Key = 'sk_test_' + [guid]::NewGuid().ToString('n') }
    $parameters = @{ ApiKey = ConvertTo-SecureString $Key -AsPlainText -Force }
    # Without a file of the test's own, durability is not what is tested: in memory.
    if ($DataPath) { $parameters.DataPath = $DataPath } else { $parameters.InMemory = $true }
    foreach ($name in 'Now', 'Seed', 'Faults') {
        if ($PSBoundParameters[$name]) { $parameters[$name] = $PSBoundParameters[$name] }
    }
    $sandbox = GiftStudio\Start-SocialSandbox @parameters -ErrorAction Stop
    $apiUri = $sandbox.BaseUri.AbsoluteUri.TrimEnd('/')
    [pscustomobject]@{
        ProcessId = $sandbox.ProcessId
        BaseUri   = $sandbox.BaseUri.GetLeftPart([UriPartial]::Authority)
        ApiUri    = $apiUri
        Key       = $Key
        Headers   = @{ Authorization = "Bearer $Key" }
        DataPath  = $DataPath
        LogPath   = $sandbox.LogPath
    }
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

Export-ModuleMember -Function Start-TestSandbox, Stop-TestSandbox, Invoke-ChildPwsh
