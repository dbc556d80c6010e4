# How the benches start a server and time its start, in one place (Invoke-ServerBench.ps1's
# section 8 and profile/start-ab.ps1): from Process.Start to the first 200 on /health, asked once
# the server has printed its "Listening on" line (the sandbox and the floor both print it first).
# Asking every 2 ms from the start put the asker's CPU beside the start it measured, on 2 cores.

# Starts `dotnet ARGUMENTS` with its output redirected: Wait-BenchServerHealthy reads it.
function Start-BenchServer([string[]] $Arguments) {
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
    $process = [Diagnostics.Process]::Start($info)
    $process.BeginErrorReadLine()
    $process
}

# Waits for the "Listening on" line, then for the first 200 on /health; returns $Watch's seconds
# at that answer.
function Wait-BenchServerHealthy {
    param(
        [Diagnostics.Process] $Process,
        [int] $Port,
        [Diagnostics.Stopwatch] $Watch,
        [Net.Http.HttpClient] $Http,
        [int] $TimeoutSeconds = 120
    )
    while ($true) {
        $read = $Process.StandardOutput.ReadLineAsync()
        $left = [math]::Max(1, $TimeoutSeconds - $Watch.Elapsed.TotalSeconds)
        if (-not $read.Wait([TimeSpan]::FromSeconds($left))) { throw "The server on port $Port printed no 'Listening on' line within $TimeoutSeconds s." }
        if ($null -eq $read.Result) {
            $Process.WaitForExit()
            throw "The server on port $Port ended with exit code $($Process.ExitCode) before it listened."
        }
        if ($read.Result.StartsWith('Listening on')) { break }
    }
    # The rest is read and dropped: the sandbox logs a line per request, and a full pipe would block it.
    $null = $Process.StandardOutput.BaseStream.CopyToAsync([IO.Stream]::Null)
    $uri = "http://127.0.0.1:$Port/health"
    while ($true) {
        if ($Process.HasExited) { throw "The server on port $Port ended with exit code $($Process.ExitCode) before it answered /health." }
        try {
            $response = $Http.GetAsync($uri).GetAwaiter().GetResult()
            $status = [int] $response.StatusCode
            $response.Dispose()
            if ($status -eq 200) { return $Watch.Elapsed.TotalSeconds }
        }
        catch [Net.Http.HttpRequestException] {
            # Not accepting yet.
        }
        if ($Watch.Elapsed.TotalSeconds -gt $TimeoutSeconds) { throw "The server on port $Port did not answer /health within $TimeoutSeconds s." }
        [Threading.Thread]::Sleep(2)
    }
}

# SIGTERM: the sandbox closes its data file (and removes an in-memory one) as on Ctrl+C.
function Stop-BenchServer([Diagnostics.Process] $Process) {
    if (-not $Process.HasExited) {
        & /bin/kill -s TERM $Process.Id
        if (-not $Process.WaitForExit(30000)) { $Process.Kill(); $Process.WaitForExit() }
    }
    $Process.Dispose()
}

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}
