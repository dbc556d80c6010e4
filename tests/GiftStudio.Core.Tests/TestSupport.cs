using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security;
using System.Threading.Tasks;
using GiftStudio.Http;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>Clients built the way the module builds them: SocialOsHttp.CreateClient.</summary>
internal static class Clients
{
    /// <summary>A distinctive key, so a test can prove it never shows up in logs or messages.</summary>
    public const string Key = "sk_test_Zq8Vx3Lm9Pw2";

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>Options for a test: retries off unless asked for (so one call is one request and
    /// an error status comes straight back), a bounded per-attempt timeout.</summary>
    public static SocialOsClientOptions Options(Uri baseUri, string? key = Key, TimeSpan? timeout = null, IRequestLog? log = null, RetryPolicy? retry = null) => new()
    {
        BaseUri = baseUri,
        ApiKey = key is null ? null : Secure(key),
        // Bounded by default, so a client bug that hangs fails the test instead of the run.
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
        Log = log,
        Retry = retry ?? new RetryPolicy { MaxRetries = 0 },
    };

    public static SocialOsClient Create(Uri baseUri, string? key = Key, TimeSpan? timeout = null, IRequestLog? log = null, RetryPolicy? retry = null) =>
        SocialOsHttp.CreateClient(Options(baseUri, key, timeout, log, retry));
}

/// <summary>An IRequestLog that keeps every line.</summary>
internal sealed class RecordingLog : IRequestLog
{
    private readonly object _gate = new();
    private readonly List<string> _verbose = new();
    private readonly List<string> _debug = new();

    public IReadOnlyList<string> VerboseLines
    {
        get { lock (_gate) return _verbose.ToList(); }
    }

    public IReadOnlyList<string> DebugLines
    {
        get { lock (_gate) return _debug.ToList(); }
    }

    public string All => string.Join("\n", VerboseLines.Concat(DebugLines));

    /// <summary>Waits (up to a generous 60 s, for a loaded machine) until a verbose line matches.</summary>
    public async Task<string> WaitForVerboseAsync(Func<string, bool> match)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var line = VerboseLines.FirstOrDefault(match);
            if (line is not null) return line;
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("No matching log line within 60 s:\n" + All);
            await Task.Delay(20);
        }
    }

    public void Verbose(string message)
    {
        lock (_gate) _verbose.Add(message);
    }

    public void Debug(string message)
    {
        lock (_gate) _debug.Add(message);
    }
}

/// <summary>A loopback port where nothing listens, reserved for the test: a socket is bound
/// to it without listening, so a connection is refused and no other test's server can take the
/// port in the meantime (a listener stopped at once would hand it back to the pool).</summary>
internal sealed class ClosedPort : IDisposable
{
    private readonly System.Net.Sockets.Socket _socket = new(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);

    public ClosedPort()
    {
        _socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        Port = ((System.Net.IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}

internal static class Bounded
{
    /// <summary>Awaits a client call that must end by itself (by its own timeout, say); a call
    /// still running after <paramref name="limit"/> fails the test instead of hanging the run.</summary>
    public static async Task<T> Within<T>(Task<T> call, TimeSpan limit, string what)
    {
        var finished = await Task.WhenAny(call, Task.Delay(limit));
        if (finished != call) Assert.Fail($"{what}: the call was still running after {limit.TotalSeconds:0} s.");
        return await call;
    }

    public static async Task<TException> Throws<TException>(Func<Task> call, TimeSpan limit, string what) where TException : Exception
    {
        var task = call();
        var finished = await Task.WhenAny(task, Task.Delay(limit));
        if (finished != task) Assert.Fail($"{what}: the call was still running after {limit.TotalSeconds:0} s (expected {typeof(TException).Name}).");
        return await Assert.ThrowsAsync<TException>(() => task);
    }
}

/// <summary>Makes the local-time tests meaningful on machines (and CI containers) whose local
/// zone is UTC: when TZ is not set and the local zone has no offset, the test process (and the
/// sandbox it starts) runs in Asia/Kolkata (UTC+05:30, no DST). Every expectation is still
/// computed with TimeZoneInfo.Local, so the tests pass in any zone.</summary>
internal static class LocalZone
{
    public const string FallbackZone = "Asia/Kolkata";

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Test assembly: sets the process time zone before any test runs.")]
    internal static void Initialize()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TZ"))) return;
        if (TimeZoneInfo.Local.BaseUtcOffset != TimeSpan.Zero || TimeZoneInfo.Local.SupportsDaylightSavingTime) return;
        Environment.SetEnvironmentVariable("TZ", FallbackZone);
        TimeZoneInfo.ClearCachedData();
    }
}
