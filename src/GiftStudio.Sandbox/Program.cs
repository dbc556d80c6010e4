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
    // Checked before anything is opened or announced: a file that cannot be written is an
    // argument error, not a sandbox that listens and then fails.
    if (options.PortFile is { } portFilePath) StartFiles.CheckWritable(portFilePath, "--port-file");
    if (options.ReadyFile is { } readyFilePath) StartFiles.CheckWritable(readyFilePath, "--ready-file");
    sandbox = SandboxBuilder.Create(options);
}
catch (ArgumentException e)
{
    return Fail(ExitCodes.BadArguments, e.Message);
}
catch (StartupFailure failure)
{
    return Fail(failure.ExitCode, failure.Message);
}
sandbox.Web.WebHost.UseUrls(options.Url);
sandbox.Web.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    // The API's own 64 KiB rule answers (JsonBody); Kestrel's smaller default would cut the
    // connection first.
    kestrel.Limits.MaxRequestBodySize = GiftStudio.Sandbox.Http.JsonBody.ServerLimitBytes;
});
sandbox.Web.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

var clock = sandbox.Clock;
var sink = sandbox.Sink;
var lines = new StartLines(options.LogFormat, clock);
DataFile? dataFile = null;
SandboxApp? app = null;
var listening = false;
try
{
    dataFile = DataFile.Acquire(options.DataPath);
    if (options.Fresh) dataFile.Wipe(options.Force);
    else dataFile.CheckOwned();
    app = await sandbox.BuildAsync(dataFile.Path);
    var store = app.Store;
    var stats = app.Stats;

    try
    {
        await app.Web.StartAsync();
    }
    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
    {
        var reason = (e.InnerException ?? e).Message.TrimEnd('.');
        throw new StartupFailure(ExitCodes.CannotListen,
            $"--urls {options.Url}: cannot listen ({reason}). Give a free port, or port 0 to pick one; the host must be an address of this machine.");
    }
    listening = true;
    var address = app.Web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    var port = new Uri(address).Port;
    var data = DescribeData(store, dataFile, options.Fresh, options.InMemory);
    var warnings = new List<string>();
    if (!SandboxOptions.IsLoopback(options.Url))
        warnings.Add($"listening on {address}, beyond loopback: other machines can reach this sandbox. Use --urls http://127.0.0.1:PORT to keep it local.");
    if (store.Contents().NewestEventMs is { } newest && newest > clock.NowMs)
        warnings.Add($"{store.EventsAfter(clock.NowMs)} score events in the data file are later than the clock, which started at {Rfc3339.Format(clock.Start.ToUnixTimeMilliseconds())}{(options.Now is null ? "" : " (--now)")}; " +
             $"analytics do not count them until the clock passes them (the newest is at {Rfc3339.Format(newest)}).");

    // Launchers that read the console take the port from this first line: keep it first and unchanged.
    lines.Info($"Listening on {address}", "listening", ("Url", address));
    if (options.KeyWasGenerated)
        lines.Info($"No --api-key given; generated one for this run: {options.ApiKeys[0]}", "generated-key", ("ApiKey", options.ApiKeys[0]));
    lines.Info(data.Text, "data", ("Data", data.Path));
    if (app.Seeded is { } seeded) lines.Info(seeded, "seeded");
    if (options.Faults is not null) lines.Info($"Fault injection ON: {options.Faults.Describe()}.", "faults");
    if (options.StrictProperties) lines.Info("Unknown JSON properties are refused with a 400 (--strict-properties).", "strict-properties");
    lines.Info($"Log: {(options.LogFormat == LogFormat.Json ? "JSON lines" : "text")} on standard output{(options.LogFile is null ? "" : $" and in {Path.GetFullPath(options.LogFile)}")}.", "log");
    foreach (var warning in warnings) lines.Warn(warning);
    // The files last: once a launcher sees one, every start line and warning is out.
    if (options.PortFile is { } portFile) StartFiles.Write(portFile, "--port-file", port.ToString(CultureInfo.InvariantCulture) + "\n");
    if (options.ReadyFile is { } readyFile) StartFiles.Write(readyFile, "--ready-file", StartFiles.ReadyJson(port, address, data, warnings));
    app.Web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"GiftStudio.Sandbox {SandboxVersion.Text} listening on {address}", new List<KeyValuePair<string, object?>>
        {
            new("Event", "start"), new("Version", SandboxVersion.Text), new("Url", address), new("Data", dataFile.Path),
        }), null, (s, _) => s.Text);

    if (options.ParentPid is { } parentPid)
        _ = WatchParentAsync(parentPid, app.Web.Lifetime, lines);

    var started = Stopwatch.GetTimestamp();
    await app.Web.WaitForShutdownAsync();
    var totals = stats.Totals;
    var shutdown = new List<KeyValuePair<string, object?>> { new("Event", "stop"), new("UptimeSeconds", Stopwatch.GetElapsedTime(started).TotalSeconds) };
    shutdown.AddRange(totals.Select(t => new KeyValuePair<string, object?>(LogSink.PascalCase(t.Key), t.Value)));
    if (sink.DroppedLines > 0) shutdown.Add(new("LogLinesLost", sink.DroppedLines));
    app.Web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox").Log(LogLevel.Information, default,
        new LogFields($"Stopped after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: served {string.Join(", ", totals.Select(t => $"{t.Key.Replace('_', ' ')} {t.Value}"))}.", shutdown),
        null, (s, _) => s.Text);
    if (options.PortFile is { } written) StartFiles.RemoveIfOurs(written, port.ToString(CultureInfo.InvariantCulture) + "\n");
    if (options.ReadyFile is { } readyWritten) StartFiles.RemoveIfOurs(readyWritten, StartFiles.ReadyJson(port, address, data, warnings));
    return ExitCodes.Stopped;
}
catch (StartupFailure failure)
{
    await CloseAfterFailedStartAsync();
    return Fail(failure.ExitCode, failure.Message);
}
catch (Exception error)
{
    // A bug: exit 1 with the whole story (an unhandled exception would abort with 134).
    await CloseAfterFailedStartAsync();
    return Fail(ExitCodes.Unexpected, $"unexpected failure: {error}");
}
finally
{
    if (app is not null) await app.DisposeAsync();
    dataFile?.Dispose();
    if (options.InMemory) MemoryStorage.Remove(options.DataPath);
    await sandbox.DisposeAsync();
    // A failed start leaves no file it created: the log it opened goes too.
    if (!listening && sink.CreatedFile is { } createdLog) File.Delete(createdLog);
}

// The application and its data file close before a file this start created is removed.
async Task CloseAfterFailedStartAsync()
{
    if (app is not null) await app.DisposeAsync();
    app = null;
    if (!listening) dataFile?.RemoveIfCreated();
}

static int Fail(int exitCode, string message)
{
    Console.Error.WriteLine($"GiftStudio.Sandbox: {message}");
    return exitCode;
}

// The start line's account of the data file, in words.
static DataSummary DescribeData(SandboxStore store, DataFile file, bool fresh, bool inMemory)
{
    var (tenants, gifts, users, events, _) = store.Contents();
    var origin = inMemory ? "in memory with --storage memory: a temporary file, deleted when the process ends"
        : fresh ? "emptied by --fresh" : file.Created ? "new file" : "existing file";
    var text = $"Data: {file.Path} ({origin}; SQLite WAL, synchronous={store.Database.Synchronous}): " +
           $"{Count(tenants, "tenant")}, {Count(gifts, "gift")}, {Count(users, "user")} with scores, {Count(events, "score event")}.";
    return new DataSummary(text, file.Path, inMemory ? "memory" : fresh ? "fresh" : file.Created ? "new" : "existing", tenants, gifts, users, events);

    static string Count(long n, string noun) => $"{n.ToString(CultureInfo.InvariantCulture)} {noun}{(n == 1 ? "" : "s")}";
}

// Ends the server when the process that started it is gone, so a sandbox never outlives its script.
static async Task WatchParentAsync(int pid, IHostApplicationLifetime lifetime, StartLines lines)
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
    try
    {
        while (await timer.WaitForNextTickAsync(lifetime.ApplicationStopping))
        {
            if (Processes.IsRunning(pid)) continue;
            lines.Info($"Parent process {pid} has ended; stopping.", "parent-ended");
            lifetime.StopApplication();
            return;
        }
    }
    catch (OperationCanceledException)
    {
        // The server is stopping anyway.
    }
}
