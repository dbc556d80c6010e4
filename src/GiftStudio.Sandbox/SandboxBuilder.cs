using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Logging;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox;

/// <summary>Builds the sandbox's web application from its options, in two steps. <see cref="Create"/>
/// reads configuration (the tier thresholds), starts the clock and opens the log: nothing is
/// opened but a --log-file, so a refusal here (an <see cref="ArgumentException"/>) leaves no data
/// file behind. <see cref="BuildAsync"/> then opens the data and builds the application.
/// The process around it (arguments, the data file's lock, exit codes, Kestrel, the start lines,
/// --parent-pid, signals) is Program.cs's; an in-process test puts TestServer and a fake
/// <see cref="TimeProvider"/> in its place and builds the same application.</summary>
public sealed class SandboxBuilder : IAsyncDisposable
{
    private SandboxBuilder(SandboxOptions options, WebApplicationBuilder web, TierRules tiers, Clock clock, LogSink sink)
    {
        Options = options;
        Web = web;
        Tiers = tiers;
        Clock = clock;
        Sink = sink;
    }

    public SandboxOptions Options { get; }

    /// <summary>The host builder, for the caller's listener: Kestrel in the process, TestServer in a test.</summary>
    public WebApplicationBuilder Web { get; }

    public TierRules Tiers { get; }
    public Clock Clock { get; }
    public LogSink Sink { get; }

    /// <param name="time">Where the clock's time comes from (the system's when null).</param>
    /// <param name="logOutput">Where log lines go instead of standard output.</param>
    /// <exception cref="ArgumentException">The tier configuration or the --log-file is unusable.</exception>
    public static SandboxBuilder Create(SandboxOptions options, TimeProvider? time = null, TextWriter? logOutput = null)
    {
        // The raw args are not handed to the host: its command-line configuration would misread them.
        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = Array.Empty<string>(),
        });
        var tiers = TierRules.FromConfiguration(web.Configuration);
        var clock = new Clock(options.Now, options.ManualClock, time);
        var sink = new LogSink(options.LogFormat, options.LogFile, clock, logOutput, new KeyRedactor(options.ApiKeys));
        web.Logging.ClearProviders();
        web.Logging.AddProvider(new SandboxLoggerProvider(sink));
        // A failed bind is reported in one line (exit code 4), not as Kestrel's stack trace.
        web.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.None);
        // Except what Kestrel refuses itself: one line each (KestrelRefusals).
        web.Logging.AddFilter(KestrelRefusals.Category, LogLevel.Debug);
        web.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        web.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        return new SandboxBuilder(options, web, tiers, clock, sink);
    }

    /// <summary>Opens the data file (the caller holds its lock), readies the tenants of the keys,
    /// drops old idempotency records, seeds (--seed), and builds the application, not started.</summary>
    /// <exception cref="StartupFailure">The file cannot be used as a SQLite data file (exit 5).</exception>
    public async Task<SandboxApp> BuildAsync(string dataPath)
    {
        var database = OpenDatabase(dataPath, durable: !Options.InMemory);
        try
        {
            var store = new SandboxStore(database, Tiers, Clock);
            var keys = new ApiKeys(Options.ApiKeys);
            var tenants = new Tenants(keys, await store.EnsureTenantsAsync(keys.TenantNames));
            await database.WriteAsync(store.Replies.Purge);
            string? seeded = null;
            if (Options.Seed is { } seed)
            {
                var firstTenant = (await store.EnsureTenantsAsync(keys.TenantNames.Take(1))).Values.Single();
                var seedStarted = Stopwatch.GetTimestamp();
                var filled = await database.WriteAsync(c => new Seeder(Tiers).Seed(c, firstTenant, seed, Clock.NowMs));
                if (filled) database.CheckpointNow();
                seeded = filled
                    ? $"Seeded {seed.Users} users, {seed.Events} events over {seed.Days} days in {Stopwatch.GetElapsedTime(seedStarted).TotalSeconds:0.0} s."
                    : "--seed: the data file already holds data for the first key; left it as it is.";
            }
            store.LoadRanks();

            var stats = new RequestStats();
            var services = Web.Services;
            var clock = Clock;
            services.AddSingleton(tenants);
            services.AddSingleton(new RateLimiter(Options.RateLimit, () => clock.Elapsed));
            services.AddSingleton(store);
            services.AddSingleton(new Idempotency(store));
            services.AddSingleton(clock);
            services.AddSingleton(stats);
            services.AddSingleton(Sink);
            if (Options.Faults is { } faultSpec)
                services.AddSingleton(provider => new FaultInjector(faultSpec, provider.GetRequiredService<ILoggerFactory>().CreateLogger("GiftStudio.Sandbox.Faults")));

            var app = Web.Build();
            var faults = app.Services.GetService<FaultInjector>();
            // In this order: a problem body is logged, and a 401 or 429 is a problem body.
            app.UseMiddleware<RequestIdentity>();
            app.UseMiddleware<RequestLogging>();
            app.UseMiddleware<RateLimitHeaders>();
            app.UseMiddleware<ProblemResponses>();
            app.UseMiddleware<Authentication>();
            app.UseMiddleware<RateLimiting>();
            if (faults is not null)
                app.Use((context, next) => Authentication.IsApi(context.Request.Path) ? faults.InvokeAsync(context, next) : next(context));
            new Api(store, app.Services.GetRequiredService<Idempotency>(), clock, stats, faults, Options.StrictProperties).Map(app);
            return new SandboxApp(app, database, store, stats, seeded, Sink);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drains and closes the log (after the application, whose last lines it writes).</summary>
    public ValueTask DisposeAsync() => Sink.DisposeAsync();

    // SQLite's refusals name the path and the cause, then exit 5.
    private static Database OpenDatabase(string path, bool durable)
    {
        try
        {
            return new Database(path, durable);
        }
        catch (SqliteException e)
        {
            throw new StartupFailure(ExitCodes.DataPathUnusable,
                $"--data '{path}' cannot be used as a SQLite data file ({e.Message.TrimEnd('.')}). Give another path, or --fresh to start it empty.");
        }
        catch (InvalidOperationException e)
        {
            throw new StartupFailure(ExitCodes.DataPathUnusable, $"--data '{path}': {e.Message}");
        }
    }
}
