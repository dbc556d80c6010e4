using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

// A raw HttpClient load generator against a running sandbox: the ceiling the sandbox allows.
//   score   --url U --key K --clients N --count M [--users U] [--warmup W]   score updates/s
//   gift    --url U --key K --clients N --count M [--warmup W]               gift creations/s
// (W requests, 500 unless given, go first, untimed.)
//   get     --url U --key K --count M --path /analytics?...     median and p95 latency of a GET
var options = Args.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false })
{
    BaseAddress = new Uri(options.Get("url").TrimEnd('/') + "/"),
};
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Get("key"));

switch (args[0])
{
    case "score":
    case "gift":
        {
            var clients = int.Parse(options.Get("clients", "1"), CultureInfo.InvariantCulture);
            var count = int.Parse(options.Get("count", "2000"), CultureInfo.InvariantCulture);
            var users = int.Parse(options.Get("users", "1000"), CultureInfo.InvariantCulture);
            var prefix = options.Get("prefix", "bench.user");
            var fixedValue = options.Get("value", "0");
            var failures = 0;
            // The same requests, untimed first: a fresh process's first requests run JIT tier-0
            // code and open the connections, which the module's timed passes (warmed up by a pass
            // of their own) do not pay. Without it this "ceiling" came out below the module.
            await SendAllAsync(int.Parse(options.Get("warmup", "500"), CultureInfo.InvariantCulture), "warm-up.");
            var watch = Stopwatch.StartNew();
            await SendAllAsync(count, "");
            watch.Stop();
            Console.WriteLine(FormattableString.Invariant($"{args[0]} clients={clients} count={count} seconds={watch.Elapsed.TotalSeconds:0.000} per_second={count / watch.Elapsed.TotalSeconds:0} failures={failures}"));
            return failures == 0 ? 0 : 1;

            Task SendAllAsync(int total, string namePrefix)
            {
                var next = -1;
                return Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < total)
                    {
                        var (path, body) = args[0] == "score"
                            ? ("gamification/score", $"{{\"userId\":\"{prefix}{i % users}\",\"metric\":\"tier\",\"action\":\"gift_redeemed\",\"value\":{(fixedValue != "0" ? fixedValue : (1 + i % 50).ToString(CultureInfo.InvariantCulture))}}}")
                            : ("gamification/gifts", $"{{\"name\":\"Bench gift {namePrefix}{i}\",\"tier\":\"silver\",\"reward\":{1 + i % 500},\"badge\":false}}");
                        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                        using var response = await http.SendAsync(request);
                        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                    }
                }));
            }
        }
    case "get":
        {
            var count = int.Parse(options.Get("count", "50"), CultureInfo.InvariantCulture);
            var path = options.Get("path").TrimStart('/');
            var warmup = options.Get("warmup", "");
            if (warmup.Length > 0) (await http.GetAsync(warmup.TrimStart('/'))).Dispose();
            var times = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                times.Add(watch.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode) { Console.Error.WriteLine($"{(int)response.StatusCode} for {path}"); return 1; }
            }
            var first = times[0];
            times.Sort();
            Console.WriteLine(FormattableString.Invariant($"get path=/{path} first_ms={first:0.0} median_ms={times[times.Count / 2]:0.0} p95_ms={times[(int)(times.Count * 0.95)]:0.0}"));
            return 0;
        }
    default:
        Console.Error.WriteLine("usage: score|gift|get --url U --key K ...");
        return 2;
}

internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Args Parse(string[] args)
    {
        var parsed = new Args();
        for (var i = 1; i + 1 < args.Length; i += 2) parsed._values[args[i].TrimStart('-')] = args[i + 1];
        return parsed;
    }

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");
}
