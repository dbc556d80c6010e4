<#
.SYNOPSIS
    Allocations and CPU per request at three layers (raw HttpClient, SocialOsClient, the
    cmdlets) against an in-memory sandbox, in one process: the profile of bench/ANALYSIS.md,
    "The module's side at the ceiling".
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-ClientAllocations.ps1 -Manifest out/GiftStudio/GiftStudio.psd1 -N 5000
#>
param([Parameter(Mandatory)] [string] $Manifest, [int] $N = 5000, [int] $InFlight = 8)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $Manifest).Path
$sb = Start-SocialSandbox -InMemory
try {
$conn = $sb | Connect-SocialOS -PassThru
$key = [Net.NetworkCredential]::new('', $sb.ApiKey).Password
$api = $sb.BaseUri.AbsoluteUri.TrimEnd('/')
$client = $conn.GetType().GetProperty('Client', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($conn)
Add-Type -ReferencedAssemblies ([GiftStudio.SocialOsClient].Assembly.Location), System.Net.Http, System.Net.Primitives, System.Threading, System.Threading.Tasks, System.Runtime, System.Collections, System.Linq, netstandard -TypeDefinition @'
using System; using System.Net.Http; using System.Text; using System.Threading; using System.Threading.Tasks; using System.Linq;
public static class Load {
  public static void Raw(HttpClient http, string url, int n, int inFlight) {
    int next = -1;
    Task.WaitAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () => {
      int i; while ((i = Interlocked.Increment(ref next)) < n) {
        using var req = new HttpRequestMessage(HttpMethod.Post, url + "/gamification/score");
        req.Content = new StringContent("{\"userId\":\"raw.u" + (i % 1000) + "\",\"metric\":\"tier\",\"action\":\"gift_redeemed\",\"value\":1}", Encoding.UTF8, "application/json");
        req.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var resp = await http.SendAsync(req).ConfigureAwait(false);
        var body = await resp.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode) throw new Exception(((int)resp.StatusCode).ToString());
      } })).ToArray());
  }
  public static void Client(GiftStudio.SocialOsClient client, int n, int inFlight) {
    int next = -1;
    Task.WaitAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () => {
      int i; while ((i = Interlocked.Increment(ref next)) < n)
        await client.UpdateTierScoreAsync(new GiftStudio.ScoreUpdateRequest { UserId = "client.u" + (i % 1000), Value = 1, Action = "gift_redeemed" }).ConfigureAwait(false);
    })).ToArray());
  }
}
'@
$http = [Net.Http.HttpClient]::new([Net.Http.SocketsHttpHandler]::new())
$http.DefaultRequestHeaders.Authorization = [Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $key)
$rows = 1..$N | ForEach-Object { [pscustomobject]@{ UserId = "cmd.u$($_ % 1000)"; Value = 1 + $_ % 50 } }
function ThreadTicks { $f = (Get-Content /proc/thread-self/stat -Raw) -replace '^.*\) ', '' -split ' '; [long]$f[11] + [long]$f[12] }
function Measure-Layer([string]$Name, [scriptblock]$Work) {
  & $Work   # warm-up (JIT, connections)
  [GC]::Collect(); [GC]::WaitForPendingFinalizers()
  $a0 = [GC]::GetTotalAllocatedBytes($true); $t0 = [GC]::GetAllocatedBytesForCurrentThread(); $p0 = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime; $k0 = ThreadTicks
  $g0 = 0..2 | ForEach-Object { [GC]::CollectionCount($_) }
  $w = [Diagnostics.Stopwatch]::StartNew(); & $Work; $w.Stop()
  $k1 = ThreadTicks; $p1 = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime; $t1 = [GC]::GetAllocatedBytesForCurrentThread(); $a1 = [GC]::GetTotalAllocatedBytes($true)
  $g1 = 0..2 | ForEach-Object { [GC]::CollectionCount($_) }
  [pscustomobject]@{ Layer = $Name; PerSecond = [math]::Round($N / $w.Elapsed.TotalSeconds); KBPerRequest = [math]::Round(($a1 - $a0) / $N / 1KB, 2)
    PipelineThreadKBPerItem = [math]::Round(($t1 - $t0) / $N / 1KB, 2); ProcessCpuUsPerRequest = [math]::Round(($p1 - $p0).TotalMilliseconds * 1000 / $N)
    PipelineThreadCpuUsPerItem = [math]::Round(($k1 - $k0) * 10000 / $N); Gen0 = $g1[0] - $g0[0]; Gen1 = $g1[1] - $g0[1]; Gen2 = $g1[2] - $g0[2] }
}
$out = @(
  Measure-Layer 'raw HttpClient, 8 in flight' { [Load]::Raw($http, $api, $N, $InFlight) }
  Measure-Layer 'SocialOsClient.UpdateTierScoreAsync, 8 in flight' { [Load]::Client($client, $N, $InFlight) }
  Measure-Layer 'rows | Set-SocialTierScore -ThrottleLimit 8' { $rows | Set-SocialTierScore -Connection $conn -ThrottleLimit $InFlight | Out-Null }
  Measure-Layer 'rows | Set-SocialTierScore -ThrottleLimit 1' { $rows | Set-SocialTierScore -Connection $conn -ThrottleLimit 1 | Out-Null }
  Measure-Layer 'rows | ForEach-Object { Invoke-RestMethod }' { $h = @{ Authorization = "Bearer $key" }; $rows | ForEach-Object { Invoke-RestMethod -Method Post "$api/gamification/score" -Headers $h -ContentType 'application/json' -Body (@{ userId = $_.UserId; metric = 'tier'; action = 'gift_redeemed'; value = [int] $_.Value } | ConvertTo-Json) } | Out-Null }
)
$out | Format-Table -AutoSize | Out-String -Width 250
} finally { $sb | Stop-SocialSandbox }
