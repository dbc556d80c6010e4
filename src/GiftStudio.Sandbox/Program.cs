using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Sandbox;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Logging;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SandboxOptions.Usage);
    return ExitCodes.Stopped;
}
if (args.Contains("--version"))
{
    Console.WriteLine($"GiftStudio.Sandbox {SandboxVersion.Text}");
    return ExitCodes.Stopped;
}

SandboxOptions options;
try
{
    options = SandboxOptions.Parse(args);
}
catch (ArgumentException e)
{
    return Fail(ExitCodes.BadArguments, e.Message);
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

TierRules tiers;
try
{
    tiers = TierRules.FromConfiguration(builder.Configuration);
}
catch (ArgumentException e)
{
    return Fail(ExitCodes.BadArguments, e.Message);
}

var clock = new Clock(options.Now, options.ManualClock);
LogSink sink;
try
{
    sink = new LogSink(options.LogFormat, options.LogFile, clock);
}
catch (ArgumentException e)
{
    return Fail(ExitCodes.BadArguments, e.Message);
}
builder.Logging.ClearProviders();
builder.Logging.AddProvider(new SandboxLoggerProvider(sink));
// A failed bind is reported in one line below (exit code 4), not as Kestrel's stack trace.
builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.None);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

DataFile? dataFile = null;
Database? database = null;
WebApplication? app = null;
var listening = false;
try
{
    dataFile = DataFile.Acquire(options.DataPath);
    if (options.Fresh) dataFile.Wipe(options.Force);
    database = OpenDatabase(dataFile, durable: !options.InMemory);
    var store = new SandboxStore(database, tiers, clock);
    var keys = new ApiKeys(options.ApiKeys);
    var tenants = new Tenants(keys, store.EnsureTenants(keys.TenantNames));
    await database.WriteAsync(store.PurgeReplies);
    string? seeded = null;
    if (options.Seed is { } seed)
    {
        var firstTenant = store.EnsureTenants(keys.TenantNames.Take(1)).Values.Single();
        var seedStarted = Stopwatch.GetTimestamp();
        var filled = await database.WriteAsync(c => new Seeder(tiers).Seed(c, firstTenant, seed, clock.NowMs));
        seeded = filled
            ? $"Seeded {seed.Users} users, {seed.Events} events over {seed.Days} days in {Stopwatch.GetElapsedTime(seedStarted).TotalSeconds:0.0} s."
            : "--seed: the data file already holds data for the first key; left it as it is.";
    }
    store.LoadRanks();

    var stats = new RequestStats();
    builder.Services.AddSingleton(tenants);
    builder.Services.AddSingleton(new RateLimiter(options.RateLimit, () => clock.Elapsed));
    builder.Services.AddSingleton(store);
    builder.Services.AddSingleton(new Idempotency(store));
    builder.Services.AddSingleton(clock);
    builder.Services.AddSingleton(stats);
    builder.Services.AddSingleton(sink);
    if (options.Faults is { } faultSpec)
        builder.Services.AddSingleton(services => new FaultInjector(faultSpec, services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox.Faults")));

    app = builder.Build();
    app.UseMiddleware<Gate>();
    new Api(store, app.Services.GetRequiredService<Idempotency>(), clock, stats, app.Services.GetService<FaultInjector>(), options.StrictProperties).Map(app);

    try
    {
        await app.StartAsync();
    }
    catch (IOException e)
    {
        var reason = (e.InnerException ?? e).Message.TrimEnd('.');
        throw new StartupFailure(ExitCodes.CannotListen,
            $"--urls {options.Url}: cannot listen ({reason}). Give a free port, or port 0 to pick one; the host must be an address of this machine.");
    }
    listening = true;
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    var port = new Uri(address).Port;
    // Launchers read this first line to learn the port that --urls ...:0 picked: keep it first and unchanged.
    Console.WriteLine($"Listening on {address}");
    if (options.KeyWasGenerated)
        Console.WriteLine($"No --api-key given; generated one for this run: {options.ApiKeys[0]}");
    Console.WriteLine(DescribeData(store, dataFile, options.Fresh, options.InMemory));
    if (seeded is not null) Console.WriteLine(seeded);
    if (options.Faults is not null) Console.WriteLine($"Fault injection ON: {options.Faults.Describe()}.");
    if (options.StrictProperties) Console.WriteLine("Unknown JSON properties are refused with a 400 (--strict-properties).");
    Console.WriteLine($"Log: {(options.LogFormat == LogFormat.Json ? "JSON lines" : "text")} on standard output{(options.LogFile is null ? "" : $" and in {Path.GetFullPath(options.LogFile)}")}.");
    if (!SandboxOptions.IsLoopback(options.Url))
        Warn($"listening on {address}, beyond loopback: other machines can reach this sandbox. Use --urls http://127.0.0.1:PORT to keep it local.");
    if (store.Contents().NewestEventMs is { } newest && newest > clock.NowMs)
        Warn($"{store.EventsAfter(clock.NowMs)} score events in the data file are later than the clock, which started at {Rfc3339.Format(clock.Start.ToUnixTimeMilliseconds())}{(options.Now is null ? "" : " (--now)")}; " +
             $"analytics do not count them until the clock passes them (the newest is at {Rfc3339.Format(newest)}).");
    if (options.PortFile is { } portFile) WritePortFile(portFile, port);
    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"GiftStudio.Sandbox {SandboxVersion.Text} listening on {address}", new List<KeyValuePair<string, object?>>
        {
            new("Event", "start"), new("Version", SandboxVersion.Text), new("Url", address), new("Data", dataFile.Path),
        }), null, (s, _) => s.Text);

    if (options.ParentPid is { } parentPid)
        _ = WatchParentAsync(parentPid, app.Lifetime);

    var started = Stopwatch.GetTimestamp();
    await app.WaitForShutdownAsync();
    var totals = stats.Totals;
    var shutdown = new List<KeyValuePair<string, object?>> { new("Event", "stop"), new("UptimeSeconds", Stopwatch.GetElapsedTime(started).TotalSeconds) };
    shutdown.AddRange(totals.Select(t => new KeyValuePair<string, object?>(LogSink.PascalCase(t.Key), t.Value)));
    if (sink.DroppedLines > 0) shutdown.Add(new("LogLinesLost", sink.DroppedLines));
    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"Stopped after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: served {string.Join(", ", totals.Select(t => $"{t.Key.Replace('_', ' ')} {t.Value}"))}.", shutdown),
        null, (s, _) => s.Text);
    if (options.PortFile is { } written) RemovePortFile(written, port);
    return ExitCodes.Stopped;
}
catch (StartupFailure failure)
{
    if (app is not null) await app.DisposeAsync();
    app = null;
    if (database is not null) await database.DisposeAsync();
    database = null;
    if (!listening) dataFile?.RemoveIfCreated();
    return Fail(failure.ExitCode, failure.Message);
}
catch (Exception error)
{
    // A bug: exit 1 with the whole story (an unhandled exception would abort with 134).
    return Fail(ExitCodes.Unexpected, $"unexpected failure: {error}");
}
finally
{
    if (app is not null) await app.DisposeAsync();
    if (database is not null) await database.DisposeAsync();
    dataFile?.Dispose();
    if (options.InMemory) MemoryStorage.Remove(options.DataPath);
    await sink.DisposeAsync();
}

static int Fail(int exitCode, string message)
{
    Console.Error.WriteLine($"GiftStudio.Sandbox: {message}");
    return exitCode;
}

static void Warn(string message) => Console.Error.WriteLine($"GiftStudio.Sandbox: Warning: {message}");

// SQLite's refusals name the path and the cause, then exit 5.
static Database OpenDatabase(DataFile file, bool durable)
{
    try
    {
        return new Database(file.Path, durable);
    }
    catch (SqliteException e)
    {
        throw new StartupFailure(ExitCodes.DataPathUnusable,
            $"--data '{file.Path}' cannot be used as a SQLite data file ({e.Message.TrimEnd('.')}). Give another path, or --fresh to start it empty.");
    }
    catch (InvalidOperationException e)
    {
        throw new StartupFailure(ExitCodes.DataPathUnusable, $"--data '{file.Path}': {e.Message}");
    }
}

// The start line's account of the data file, in words.
static string DescribeData(SandboxStore store, DataFile file, bool fresh, bool inMemory)
{
    var (tenants, gifts, users, events, _) = store.Contents();
    var origin = inMemory ? "in memory with --storage memory: a temporary file, deleted when the process ends"
        : fresh ? "emptied by --fresh" : file.Created ? "new file" : "existing file";
    return $"Data: {file.Path} ({origin}; SQLite WAL, synchronous={store.Database.Synchronous}): " +
           $"{Count(tenants, "tenant")}, {Count(gifts, "gift")}, {Count(users, "user")} with scores, {Count(events, "score event")}.";

    static string Count(long n, string noun) => $"{n.ToString(CultureInfo.InvariantCulture)} {noun}{(n == 1 ? "" : "s")}";
}

// Written to a temporary name and renamed, so a reader never sees a partial number.
static void WritePortFile(string path, int port)
{
    try
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var temporary = full + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temporary, port.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, full, overwrite: true);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        throw new StartupFailure(ExitCodes.BadArguments, $"--port-file '{path}' cannot be written ({e.Message}). Give a path in a writable folder.");
    }
}

// Only our own number: a newer sandbox may have written the file since.
static void RemovePortFile(string path, int port)
{
    try
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() == port.ToString(CultureInfo.InvariantCulture)) File.Delete(path);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        // Best effort on the way out.
    }
}

// Ends the server when the process that started it is gone, so a sandbox never outlives its script.
static async Task WatchParentAsync(int pid, IHostApplicationLifetime lifetime)
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
    try
    {
        while (await timer.WaitForNextTickAsync(lifetime.ApplicationStopping))
        {
            if (SandboxOptions.ProcessIsAlive(pid)) continue;
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
