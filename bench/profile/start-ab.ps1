# Issue 26: start-ab.ps1 -SpecList "label|dll|memory|file;..." -N 9: interleaved starts, ms to the first 200 on /health (medians),
# asked once the server has printed its "Listening on" line
param([string] $SpecList, [int] $N = 9)
$Specs = $SpecList -split ";"
$work = [IO.Directory]::CreateTempSubdirectory('startab').FullName
$keyFile = Join-Path $work key; Set-Content $keyFile 'sk_bench_0123456789abcdef' -NoNewline
$http = [Net.Http.HttpClient]::new()
$times = @{}
foreach ($i in 1..$N) {
  foreach ($spec in $Specs) {
    $label, $dll, $rest = $spec -split '\|'
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true
    $info.ArgumentList.Add($dll); $info.ArgumentList.Add('--urls'); $info.ArgumentList.Add("http://127.0.0.1:$port")
    if ($rest -eq 'memory') { foreach ($a in '--api-key-file', $keyFile, '--storage', 'memory') { $info.ArgumentList.Add($a) } }
    elseif ($rest -eq 'file') { foreach ($a in '--api-key-file', $keyFile, '--data', (Join-Path $work "d$([guid]::NewGuid().ToString('n')).db")) { $info.ArgumentList.Add($a) } }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $p = [Diagnostics.Process]::Start($info); $p.BeginErrorReadLine()
    # No polling before the "Listening on" line: a poller's own CPU would slow the start it measures on 2 cores.
    while ($null -ne ($line = $p.StandardOutput.ReadLine()) -and -not $line.StartsWith('Listening on')) { }
    $null = $p.StandardOutput.ReadToEndAsync()
    while ($true) {
      try { $r = $http.GetAsync("http://127.0.0.1:$port/health").GetAwaiter().GetResult(); $ok = [int]$r.StatusCode -eq 200; $r.Dispose(); if ($ok) { break } } catch [Net.Http.HttpRequestException] { }
      [Threading.Thread]::Sleep(2)
    }
    $ms = $watch.Elapsed.TotalMilliseconds
    & /bin/kill -s TERM $p.Id; $p.WaitForExit(30000) | Out-Null
    if (-not $times[$label]) { $times[$label] = [Collections.Generic.List[double]]::new() }
    $times[$label].Add($ms)
  }
}
foreach ($spec in $Specs) { $label = ($spec -split '\|')[0]; $v = $times[$label] | Sort-Object; "{0,-22} median {1,5:0} ms  (min {2:0}, max {3:0})" -f $label, $v[[int][math]::Floor(($v.Count-1)/2)], $v[0], $v[-1] }
"load: $(Get-Content /proc/loadavg)"
Remove-Item -Recurse -Force $work
