# Issue 26: start-ab.ps1 -SpecList "label|dll|memory|file;..." -N 9: interleaved starts, ms to the first 200 on /health (medians),
# timed as the bench times them (bench/ServerStart.ps1). A spec's dll is the floor's or a sandbox build's.
param([string] $SpecList, [int] $N = 9)
. (Join-Path $PSScriptRoot '../ServerStart.ps1')
$Specs = $SpecList -split ";"
$work = [IO.Directory]::CreateTempSubdirectory('startab').FullName
$keyFile = Join-Path $work key; Set-Content $keyFile "sk_bench_$([guid]::NewGuid().ToString('n'))" -NoNewline
$http = [Net.Http.HttpClient]::new()
$times = @{}
try {
  foreach ($i in 1..$N) {
    foreach ($spec in $Specs) {
      $label, $dll, $rest = $spec -split '\|'
      $port = Get-FreePort
      $arguments = @($dll, '--urls', "http://127.0.0.1:$port")
      if ($rest -eq 'memory') { $arguments += '--api-key-file', $keyFile, '--storage', 'memory' }
      elseif ($rest -eq 'file') { $arguments += '--api-key-file', $keyFile, '--data', (Join-Path $work "d$([guid]::NewGuid().ToString('n')).db") }
      $watch = [Diagnostics.Stopwatch]::StartNew()
      $p = Start-BenchServer $arguments
      $ms = 1000 * (Wait-BenchServerHealthy $p $port $watch $http)
      Stop-BenchServer $p
      if (-not $times[$label]) { $times[$label] = [Collections.Generic.List[double]]::new() }
      $times[$label].Add($ms)
    }
  }
  foreach ($spec in $Specs) { $label = ($spec -split '\|')[0]; $v = $times[$label] | Sort-Object; "{0,-22} median {1,5:0} ms  (min {2:0}, max {3:0})" -f $label, $v[[int][math]::Floor(($v.Count-1)/2)], $v[0], $v[-1] }
  "load: $(Get-Content /proc/loadavg)"
}
finally {
  $http.Dispose()
  Remove-Item -Recurse -Force $work
}
