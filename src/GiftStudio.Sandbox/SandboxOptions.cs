using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Storage;

namespace GiftStudio.Sandbox;

public enum LogFormat { Text, Json }

/// <summary>The sandbox's command line. Parsed by hand because ASP.NET's command-line
/// configuration keeps only the last of repeated switches such as --api-key.</summary>
public sealed class SandboxOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public string Url { get; private set; } = DefaultUrl;
    public List<string> ApiKeys { get; } = new();
    public string DataPath { get; private set; } = "giftstudio-sandbox.db";

    private bool _dataGiven;

    /// <summary>--storage memory: a temporary file on a RAM-backed folder with synchronous=OFF,
    /// gone when the process ends: the same code paths (WAL, one writer, readers beside it),
    /// without the durability a test suite does not need.</summary>
    public bool InMemory { get; private set; }
    public DateTimeOffset? Now { get; private set; }
    public double? RateLimit { get; private set; }
    public int? ParentPid { get; private set; }
    public bool KeyWasGenerated { get; private set; }
    public SeedSpec? Seed { get; private set; }
    public FaultSpec? Faults { get; private set; }
    public bool Fresh { get; private set; }
    public bool Force { get; private set; }
    public bool StrictProperties { get; private set; }

    /// <summary>--clock manual: time moves only when a test advances it.</summary>
    public bool ManualClock { get; private set; }
    public LogFormat LogFormat { get; private set; } = LogFormat.Text;
    public string? LogFile { get; private set; }
    public string? PortFile { get; private set; }

    /// <summary>--ready-file: once listening, one JSON object with the port, base URI, version,
    /// what the data file holds and every start-up warning.</summary>
    public string? ReadyFile { get; private set; }

    /// <summary>--shutdown-timeout: how long a stop waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>The instants --now accepts: the clock, its windows and its timestamps stay
    /// within what RFC 3339 and the analytics' day arithmetic can represent.</summary>
    public static readonly DateTimeOffset EarliestNow = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LatestNow = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Usage =>
        """
        GiftStudio.Sandbox: a local server implementing the SocialOS v2 contract.

          --urls URL            where to listen (default http://127.0.0.1:5080; port 0 picks a free port;
                                the host is an IP address, localhost meaning 127.0.0.1)
          --api-key KEY         an API key; repeat for several tenants
          --api-key-file PATH   a file with one API key per line (keeps keys out of the process list)
          --data PATH           the SQLite data file (created if missing; default giftstudio-sandbox.db)
          --now INSTANT         start the clock at this RFC 3339 instant, e.g. 2026-02-20T14:00:00Z
                                (from 2000-01-01T00:00:00Z to before 2200-01-01T00:00:00Z)
          --rate-limit N        requests per second per key (token bucket; off when absent)
          --parent-pid PID      exit when that process ends
          --seed USERS,DAYS[,EVENTS]
                                fill an empty data file (first key's tenant) with a deterministic history
          --faults SPEC         inject faults, e.g. seed=7,503=0.2,429=0.05,retry-after=1,drop=0.1,delay=0-20
                                (see README); off when absent
          --fresh               start from an empty data file: wipes an existing sandbox data file;
                                refuses any other non-empty file unless --force is given too
          --force               with --fresh: wipe the data file even if it is not a sandbox data file
          --strict-properties   refuse unknown JSON properties in request bodies (400 naming them);
                                by default they are ignored and named in the X-Ignored-Properties header
          --storage KIND        file (default: durable, synchronous=FULL) or memory (for test suites: a
                                temporary file on a RAM-backed folder, synchronous=OFF, deleted at exit;
                                not with --data)
          --clock manual        for tests: the clock stands still (at --now, or the start) and moves only
                                by POST /_sandbox/clock?advance=SECONDS; rate-limit refills follow it
          --log-format FORMAT   text (default) or json (one JSON object a line)
          --log-file PATH       also append the log to this file (same format)
          --port-file PATH      once listening, write the bound port (digits and a newline) to PATH;
                                removed again on a clean stop
          --ready-file PATH     once listening, write one JSON object to PATH: port, base_uri, version,
                                data (what the file holds) and warnings; removed again on a clean stop
          --shutdown-timeout SECONDS
                                how long a stop waits for requests in flight (default 30); a request
                                still running then is cut off and its transaction is not committed
          --version             print the version and exit
          --help                this text

        The data file's folder is created if missing. One sandbox at a time may use a data file:
        it is locked (an OS lock on the file, released when the process ends, however it ends).

        Exit codes:
          0  stopped normally (SIGTERM, Ctrl+C, or --parent-pid ended)
          1  unexpected failure (a bug: the stack trace is on stderr)
          2  argument error (a switch is unknown, lacks its value or has a bad one, or a
             --port-file, --ready-file or --log-file cannot be written)
          3  the data file is in use by another running sandbox
          4  cannot listen on --urls (port in use, address not available)
          5  the data path is unusable (a folder, not writable, not a SQLite file, another
             application's SQLite file, another schema version, or --fresh refused to wipe a
             file the sandbox did not create)
        """;

    /// <exception cref="ArgumentException">A switch is unknown, lacks its value or has a bad one.</exception>
    public static SandboxOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SandboxOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{name} needs a value.");
                return args[++i];
            }

            switch (name)
            {
                case "--urls": options.Url = ParseUrl(Value()); break;
                case "--api-key": options.AddKey(Value(), "--api-key"); break;
                case "--api-key-file": options.ReadKeyFile(Value()); break;
                case "--data": options.DataPath = Value(); options._dataGiven = true; break;
                case "--storage": options.InMemory = ParseStorage(Value()); break;
                case "--now": options.Now = ParseInstant(Value()); break;
                case "--rate-limit": options.RateLimit = ParseRate(Value()); break;
                case "--parent-pid": options.ParentPid = ParsePid(Value()); break;
                case "--seed": options.Seed = SeedSpec.Parse(Value()); break;
                case "--faults": options.Faults = FaultSpec.Parse(Value()); break;
                case "--fresh": options.Fresh = true; break;
                case "--force": options.Force = true; break;
                case "--strict-properties": options.StrictProperties = true; break;
                case "--clock": options.ManualClock = ParseClock(Value()); break;
                case "--log-format": options.LogFormat = ParseLogFormat(Value()); break;
                case "--log-file": options.LogFile = Value(); break;
                case "--port-file": options.PortFile = Value(); break;
                case "--ready-file": options.ReadyFile = Value(); break;
                case "--shutdown-timeout": options.ShutdownTimeout = ParseShutdownTimeout(Value()); break;
                default: throw new ArgumentException($"Unknown switch '{name}'. Run with --help for the accepted switches.");
            }
        }

        if (options.InMemory && options._dataGiven)
            throw new ArgumentException("--storage memory keeps no data file: leave out --data, or use --storage file (the default) to keep the data.");
        if (options.InMemory && options.Fresh)
            throw new ArgumentException("--storage memory always starts empty: leave out --fresh.");
        if (options.InMemory) options.DataPath = MemoryStorage.NewPath();
        if (options.Force && !options.Fresh)
            throw new ArgumentException("--force only applies to --fresh (wiping a data file the sandbox did not create); give both or neither.");
        if (options.DataPath.Length == 0)
            throw new ArgumentException("--data '' is not a file path: give a path such as sandbox.db.");
        if (options.ApiKeys.Count == 0)
        {
            if (!IsLoopback(options.Url))
                throw new ArgumentException($"--urls {options.Url} is not a loopback address: give the keys with --api-key or --api-key-file; a generated key is only allowed on loopback.");
            options.ApiKeys.Add(Sandbox.ApiKeys.Generate());
            options.KeyWasGenerated = true;
        }
        return options;
    }

    private void AddKey(string key, string source)
    {
        if (key.Length == 0 || key.Length > 512 || key.Any(c => c < 0x21 || c > 0x7E))
            throw new ArgumentException($"An API key from {source} is not 1-512 printable ASCII characters without spaces.");
        if (!ApiKeys.Contains(key, StringComparer.Ordinal)) ApiKeys.Add(key);
    }

    private void ReadKeyFile(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--api-key-file '{path}' cannot be read: {e.Message}");
        }
        var keys = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (keys.Count == 0) throw new ArgumentException($"--api-key-file '{path}' holds no key (one key per line).");
        foreach (var key in keys) AddKey(key, "--api-key-file");
    }

    /// <summary>One http://HOST:PORT address. "localhost" is read as 127.0.0.1: Kestrel cannot
    /// pick a free port (:0) for a name, and one address keeps "Listening on" unambiguous.</summary>
    private static string ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/"
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new ArgumentException($"--urls '{value}' is not accepted: give one http://HOST:PORT address, e.g. http://127.0.0.1:0.");
        var host = uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : uri.Host;
        if (uri.HostNameType == UriHostNameType.Dns && host != "127.0.0.1")
            throw new ArgumentException($"--urls '{value}': the host must be an IP address (e.g. 127.0.0.1, [::1], 0.0.0.0) or localhost, not the name '{uri.Host}'.");
        return $"http://{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static LogFormat ParseLogFormat(string value) => value.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new ArgumentException($"--log-format '{value}' is not accepted: give text or json."),
    };

    internal static bool IsLoopback(string url)
    {
        var host = new Uri(url).Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    private static DateTimeOffset ParseInstant(string value)
    {
        if (!Rfc3339.TryParse(value, out var instant))
            throw new ArgumentException($"--now '{value}' is not an RFC 3339 instant such as 2026-02-20T14:00:00Z.");
        if (instant < EarliestNow || instant >= LatestNow)
            throw new ArgumentException($"--now '{value}' is out of range: give an instant from {Rfc3339.Format(EarliestNow.ToUnixTimeMilliseconds())} to before {Rfc3339.Format(LatestNow.ToUnixTimeMilliseconds())}.");
        return instant;
    }

    private static TimeSpan ParseShutdownTimeout(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"--shutdown-timeout '{value}' is not a whole number of seconds from 0 to 3600.");

    private static bool ParseStorage(string value) =>
        value switch
        {
            "memory" => true,
            "file" => false,
            _ => throw new ArgumentException($"--storage '{value}': use file (durable, the default) or memory (gone when the process ends)."),
        };

    private static bool ParseClock(string value) =>
        value switch
        {
            "manual" => true,
            "real" => false,
            _ => throw new ArgumentException($"--clock '{value}': use manual (time moves only by POST /_sandbox/clock) or real (the default)."),
        };

    private static double ParseRate(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && rate <= 1_000_000
            ? rate
            : throw new ArgumentException($"--rate-limit '{value}' is not a number of requests per second above 0.");

    private static int ParsePid(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            throw new ArgumentException($"--parent-pid '{value}' is not a process id.");
        // Watching a process that is already gone would stop the sandbox at once: say so now.
        if (!Processes.IsRunning(pid))
            throw new ArgumentException($"--parent-pid {pid}: no such process is running; give the id of a running process (the sandbox stops when it ends).");
        return pid;
    }
}
