using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Sandbox;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SandboxOptions.Usage);
    return 0;
}

SandboxOptions options;
try
{
    options = SandboxOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"GiftStudio.Sandbox: {e.Message}");
    return 2;
}

// The raw args are not handed to the host: its command-line configuration would misread them.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    ContentRootPath = AppContext.BaseDirectory,
    Args = Array.Empty<string>(),
});
builder.WebHost.UseUrls(options.Url);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    // The API's own 64 KiB rule answers (with 413, after draining up to 64 MiB); Kestrel's
    // smaller default would cut the connection first.
    kestrel.Limits.MaxRequestBodySize = 65L * 1024 * 1024;
});
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    console.UseUtcTimestamp = true;
    console.ColorBehavior = LoggerColorBehavior.Disabled;
});

TierRules tiers;
try
{
    tiers = TierRules.FromConfiguration(builder.Configuration);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"GiftStudio.Sandbox: {e.Message}");
    return 2;
}

var clock = new Clock(options.Now);
var database = new Database(options.DataPath);
var store = new SandboxStore(database, tiers, clock);
var keys = new ApiKeys(options.ApiKeys);
var tenants = new Tenants(keys, store.EnsureTenants(keys.TenantNames));
await database.WriteAsync(store.PurgeReplies);
string? seeded = null;
if (options.Seed is { } seed)
{
    var firstTenant = store.EnsureTenants(keys.TenantNames.Take(1)).Values.Single();
    var started = Stopwatch.GetTimestamp();
    var filled = await database.WriteAsync(c => new Seeder(tiers).Seed(c, firstTenant, seed, clock.NowMs));
    seeded = filled
        ? $"Seeded {seed.Users} users, {seed.Events} events over {seed.Days} days in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s."
        : "--seed: the data file already holds data for the first key; left it as it is.";
}

store.LoadRanks();
builder.Services.AddSingleton(tenants);
builder.Services.AddSingleton(new RateLimiter(options.RateLimit));
builder.Services.AddSingleton(store);
builder.Services.AddSingleton(new Idempotency(store));
builder.Services.AddSingleton(clock);
builder.Services.AddSingleton(new RequestStats());
if (options.Faults is { } faultSpec)
    builder.Services.AddSingleton(services => new FaultInjector(faultSpec, services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox.Faults")));

var app = builder.Build();
app.UseMiddleware<Gate>();
new Api(store, app.Services.GetRequiredService<Idempotency>(), clock,
    app.Services.GetRequiredService<RequestStats>(), app.Services.GetService<FaultInjector>()).Map(app);

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
// Launchers read this first line to learn the port that --urls ...:0 picked.
Console.WriteLine($"Listening on {address}");
if (options.KeyWasGenerated)
    Console.WriteLine($"No --api-key given; generated one for this run: {options.ApiKeys[0]}");
Console.WriteLine($"Data: {database.FilePath} (SQLite WAL, synchronous={Database.Synchronous})");
if (seeded is not null) Console.WriteLine(seeded);
if (options.Faults is not null) Console.WriteLine($"Fault injection ON: {options.Faults}");

if (options.ParentPid is { } parentPid)
    _ = WatchParentAsync(parentPid, app.Lifetime);

await app.WaitForShutdownAsync();
await database.DisposeAsync();
return 0;

// Ends the server when the process that started it is gone, so a sandbox never outlives its script.
static async Task WatchParentAsync(int pid, IHostApplicationLifetime lifetime)
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
    try
    {
        while (await timer.WaitForNextTickAsync(lifetime.ApplicationStopping))
        {
            if (IsAlive(pid)) continue;
            Console.WriteLine($"Parent process {pid} has ended; stopping.");
            lifetime.StopApplication();
            return;
        }
    }
    catch (OperationCanceledException)
    {
        // The server is stopping anyway.
    }
}

static bool IsAlive(int pid)
{
    try
    {
        using var process = Process.GetProcessById(pid);
        return !process.HasExited;
    }
    catch (ArgumentException)
    {
        return false;
    }
    catch (InvalidOperationException)
    {
        return false;
    }
}
