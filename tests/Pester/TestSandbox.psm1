# Starts and stops a real sandbox process for the Pester tests: loopback, a free port,
# a fresh data file, a key handed over in a file (never on the command line).
Set-StrictMode -Version 3.0

function Start-TestSandbox {
    # -Key: a fixed key, so a restart on the same -DataPath reaches the same tenant.
    param([string[]] $ExtraArgs = @(), [string] $DataPath, [string] $Key)
    $module = $env:GIFTSTUDIO_TEST_MODULE
    $dll = Join-Path $module 'sandbox/GiftStudio.Sandbox.dll'
    if (-not (Test-Path $dll)) { throw "No staged sandbox at $dll; run build.ps1 -Task Build first." }
    $work = Join-Path ([IO.Path]::GetTempPath()) ("gs-pester-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory $work | Out-Null
    # Without a file of the test's own, durability is not what is tested: in memory.
    $storage = if ($DataPath) { @('--data', $DataPath) } else { @('--storage', 'memory') }
    $key = if ($Key) { $Key } else { 'sk_test_' + [guid]::NewGuid().ToString('n') }
    $keyFile = Join-Path $work 'keys.txt'
    Set-Content -LiteralPath $keyFile -Value $key -NoNewline

    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, '--urls', 'http://127.0.0.1:0', '--api-key-file', $keyFile) + $storage + @(
                     '--parent-pid', $PID) + $ExtraArgs) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    $first = $process.StandardOutput.ReadLine()
    if ($first -notmatch '^Listening on (http://\S+)$') {
        $err = $process.StandardError.ReadToEnd()
        throw "The sandbox did not start: '$first' $err"
    }
    $baseUri = $Matches[1]
    # Keep reading both pipes: a sandbox whose log fills an unread pipe blocks mid-request.
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    [pscustomobject]@{
        Process  = $process
        BaseUri  = $baseUri
        ApiUri   = "$baseUri/v2"
        Key      = $key
        Headers  = @{ Authorization = "Bearer $key" }
        DataPath = $DataPath
        WorkDir  = $work
        Output   = $stdout
        Errors   = $stderr
    }
}

function Stop-TestSandbox {
    param([Parameter(Mandatory)] $Sandbox)
    if (-not $Sandbox.Process.HasExited) {
        $Sandbox.Process.Kill($true)
        $Sandbox.Process.WaitForExit(10000) | Out-Null
    }
    $Sandbox.Process.Dispose()
    Remove-Item -Recurse -Force $Sandbox.WorkDir -ErrorAction Ignore
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
