using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>One sandbox shared by the tests of a class (xUnit class fixture). It knows K1, K2
/// and a pool of spare keys: a test that needs a tenant of its own (ranks, analytics totals,
/// list contents) takes a fresh key, so the tests of the class never see each other's data.
/// <typeparamref name="TServer"/> is how the sandbox runs: <see cref="SandboxProcess"/> (a child
/// process) or <see cref="InProcessSandbox"/> (TestServer, a clock the test moves).</summary>
public abstract class SandboxFixture<TServer> : IAsyncLifetime where TServer : class, IAsyncDisposable
{
    public const string K1 = "K1";
    public const string K2 = "K2";
    private const int SpareKeys = 40;

    private readonly string _keyPrefix = "T" + Guid.NewGuid().ToString("N")[..6] + "-";
    private int _nextKey;
    private TServer? _server;

    public TServer Server => _server ?? throw new InvalidOperationException("The sandbox has not started.");

    public HttpClient Client1 => ClientOf(Server, K1);
    public HttpClient Client2 => ClientOf(Server, K2);

    /// <summary>--now for this fixture's server (null: the real clock).</summary>
    protected virtual string? Now => null;

    /// <summary>--rate-limit for this fixture's server (null: off).</summary>
    protected virtual string? RateLimit => null;

    /// <summary>Extra switches for this fixture's server (e.g. --clock manual).</summary>
    protected virtual IReadOnlyList<string> ExtraArgs => Array.Empty<string>();

    protected abstract Task<TServer> StartAsync(SandboxStart start);

    protected abstract HttpClient ClientOf(TServer server, string key);

    /// <summary>An API key no other test uses: a tenant of its own.</summary>
    public string FreshKey()
    {
        var n = Interlocked.Increment(ref _nextKey);
        if (n > SpareKeys) throw new InvalidOperationException($"The fixture has only {SpareKeys} spare keys; raise SpareKeys.");
        return $"{_keyPrefix}{n:D2}";
    }

    /// <summary>A client for a fresh tenant.</summary>
    public HttpClient FreshTenant() => ClientOf(Server, FreshKey());

    public async Task InitializeAsync()
    {
        var keys = new List<string> { K1, K2 };
        keys.AddRange(Enumerable.Range(1, SpareKeys).Select(n => $"{_keyPrefix}{n:D2}"));
        _server = await StartAsync(new SandboxStart { Keys = keys, Now = Now, RateLimit = RateLimit, ExtraArgs = ExtraArgs });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>A shared sandbox in a child process: for what only a real server on a socket shows
/// (Kestrel's limits on bodies and connections).</summary>
public class SharedSandbox : SandboxFixture<SandboxProcess>
{
    protected override Task<SandboxProcess> StartAsync(SandboxStart start) => SandboxProcess.StartAsync(start);

    protected override HttpClient ClientOf(SandboxProcess server, string key) => server.Client(key);
}

/// <summary>A shared sandbox in this process, on TestServer; its clock stands still until a
/// test moves it (<see cref="InProcessSandbox.Advance"/>).</summary>
public class SharedInProcessSandbox : SandboxFixture<InProcessSandbox>
{
    protected override Task<InProcessSandbox> StartAsync(SandboxStart start) => InProcessSandbox.StartAsync(start);

    protected override HttpClient ClientOf(InProcessSandbox server, string key) => server.Client(key);
}

/// <summary>A shared sandbox whose clock starts at the published example's instant,
/// 2026-02-20T14:00:00Z, so the Part A examples (expires 2026-03-20) are in the future.</summary>
public sealed class ExampleClockSandbox : SharedInProcessSandbox
{
    public const string Start = "2026-02-20T14:00:00Z";
    protected override string? Now => Start;
}

/// <summary>A shared sandbox whose clock starts two hours after a UTC midnight, so hour windows
/// of 3 hours or more reach into the previous day.</summary>
public sealed class EarlyMorningSandbox : SharedInProcessSandbox
{
    public const string Start = "2026-02-20T02:00:00Z";
    protected override string? Now => Start;
}

/// <summary>A bucket of 5 a second (--rate-limit 5) on a clock that moves only when a test
/// advances it (--clock manual): refills happen when the test says, never because the machine
/// was slow.</summary>
public sealed class RateLimitedSandbox : SharedInProcessSandbox
{
    protected override string? RateLimit => "5";

    protected override IReadOnlyList<string> ExtraArgs => new[] { "--clock", "manual" };
}
