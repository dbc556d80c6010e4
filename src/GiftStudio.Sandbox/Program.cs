using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Sandbox;
using GiftStudio.Sandbox.Logging;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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

SandboxBuilder sandbox;
try
{
    sandbox = SandboxBuilder.Create(options);
}
catch (ArgumentException e)
{
    return Fail(ExitCodes.BadArguments, e.Message);
}
sandbox.Web.WebHost.UseUrls(options.Url);
sandbox.Web.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    // The API's own 64 KiB rule answers (with 413, after draining up to 64 MiB); Kestrel's
    // smaller default would cut the connection first.
    kestrel.Limits.MaxRequestBodySize = 65L * 1024 * 1024;
});

var clock = sandbox.Clock;
var sink = sandbox.Sink;
DataFile? dataFile = null;
SandboxApp? app = null;
var listening = false;
try
{
    dataFile = DataFile.Acquire(options.DataPath);
    if (options.Fresh) dataFile.Wipe(options.Force);
    app = await sandbox.BuildAsync(dataFile.Path);
    var store = app.Store;
    var stats = app.Stats;

    try
    {
        await app.Web.StartAsync();
    }
    catch (IOException e)
    {
        var reason = (e.InnerException ?? e).Message.TrimEnd('.');
        throw new StartupFailure(ExitCodes.CannotListen,
            $"--urls {options.Url}: cannot listen ({reason}). Give a free port, or port 0 to pick one; the host must be an address of this machine.");
    }
    listening = true;
    var address = app.Web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    var port = new Uri(address).Port;
    // Launchers read this first line to learn the port that --urls ...:0 picked: keep it first and unchanged.
    Console.WriteLine($"Listening on {address}");
    if (options.KeyWasGenerated)
        Console.WriteLine($"No --api-key given; generated one for this run: {options.ApiKeys[0]}");
    Console.WriteLine(DescribeData(store, dataFile, options.Fresh, options.InMemory));
    if (app.Seeded is { } seeded) Console.WriteLine(seeded);
    if (options.Faults is not null) Console.WriteLine($"Fault injection ON: {options.Faults.Describe()}.");
    if (options.StrictProperties) Console.WriteLine("Unknown JSON properties are refused with a 400 (--strict-properties).");
    Console.WriteLine($"Log: {(options.LogFormat == LogFormat.Json ? "JSON lines" : "text")} on standard output{(options.LogFile is null ? "" : $" and in {Path.GetFullPath(options.LogFile)}")}.");
    if (!SandboxOptions.IsLoopback(options.Url))
        Warn($"listening on {address}, beyond loopback: other machines can reach this sandbox. Use --urls http://127.0.0.1:PORT to keep it local.");
    if (store.Contents().NewestEventMs is { } newest && newest > clock.NowMs)
        Warn($"{store.EventsAfter(clock.NowMs)} score events in the data file are later than the clock, which started at {Rfc3339.Format(clock.Start.ToUnixTimeMilliseconds())}{(options.Now is null ? "" : " (--now)")}; " +
             $"analytics do not count them until the clock passes them (the newest is at {Rfc3339.Format(newest)}).");
    if (options.PortFile is { } portFile) WritePortFile(portFile, port);
    app.Web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"GiftStudio.Sandbox {SandboxVersion.Text} listening on {address}", new List<KeyValuePair<string, object?>>
        {
            new("Event", "start"), new("Version", SandboxVersion.Text), new("Url", address), new("Data", dataFile.Path),
        }), null, (s, _) => s.Text);

    if (options.ParentPid is { } parentPid)
        _ = WatchParentAsync(parentPid, app.Web.Lifetime);

    var started = Stopwatch.GetTimestamp();
    await app.Web.WaitForShutdownAsync();
    var totals = stats.Totals;
    var shutdown = new List<KeyValuePair<string, object?>> { new("Event", "stop"), new("UptimeSeconds", Stopwatch.GetElapsedTime(started).TotalSeconds) };
    shutdown.AddRange(totals.Select(t => new KeyValuePair<string, object?>(LogSink.PascalCase(t.Key), t.Value)));
    if (sink.DroppedLines > 0) shutdown.Add(new("LogLinesLost", sink.DroppedLines));
    app.Web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"Stopped after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: served {string.Join(", ", totals.Select(t => $"{t.Key.Replace('_', ' ')} {t.Value}"))}.", shutdown),
        null, (s, _) => s.Text);
    if (options.PortFile is { } written) RemovePortFile(written, port);
    return ExitCodes.Stopped;
}
catch (StartupFailure failure)
{
    // The application and its data file close before a file this start created is removed.
    if (app is not null) await app.DisposeAsync();
    app = null;
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
    dataFile?.Dispose();
    if (options.InMemory) MemoryStorage.Remove(options.DataPath);
    await sandbox.DisposeAsync();
}

static int Fail(int exitCode, string message)
{
    Console.Error.WriteLine($"GiftStudio.Sandbox: {message}");
    return exitCode;
}

static void Warn(string message) => Console.Error.WriteLine($"GiftStudio.Sandbox: Warning: {message}");

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
