using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The sandbox's application in this test process, on TestServer: the same application
/// a child process serves (built by <see cref="SandboxBuilder"/> from the same switches), without
/// the process around it (no port, no file lock, no start lines, no signals). Its clock runs on a
/// <see cref="FakeTimeProvider"/> that stands still until the test moves it (<see cref="Advance"/>),
/// so nothing here depends on how fast the machine is. Same surface as <see cref="SandboxProcess"/>
/// for what the rule tests use (<see cref="StartAsync"/> with a <see cref="SandboxStart"/>,
/// <see cref="Client"/>, <see cref="NewClient"/>, <see cref="Anonymous"/>), so a test class moves
/// from one to the other by how it starts its server.</summary>
public sealed class InProcessSandbox : IAsyncDisposable
{
    private readonly SandboxBuilder _builder;
    private readonly SandboxApp _app;
    private readonly TestServer _server;
    private readonly string? _memoryPath;
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private int _disposed;

    private InProcessSandbox(SandboxBuilder builder, SandboxApp app, FakeTimeProvider time, string? memoryPath)
    {
        _builder = builder;
        _app = app;
        _server = app.Web.GetTestServer();
        Time = time;
        _memoryPath = memoryPath;
    }

    /// <summary>The clock's time source: it moves only by <see cref="Advance"/>. Started at --now,
    /// or at the real time of the start when the test gives none.</summary>
    public FakeTimeProvider Time { get; }

    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>The store, for its fault seam (<see cref="Database.LimitPagesAsync"/>).</summary>
    public SandboxStore Store => _app.Store;

    /// <summary>Builds and starts the application with the switches <paramref name="start"/> stands for
    /// (--storage memory unless it names a data file). Configuration is the shipped appsettings.json:
    /// <see cref="SandboxStart.Environment"/> is for child processes only.</summary>
    public static async Task<InProcessSandbox> StartAsync(SandboxStart? start = null)
    {
        start ??= new SandboxStart();
        if (start.Environment.Count > 0)
            throw new NotSupportedException("An in-process sandbox reads the shipped configuration; start a SandboxProcess to set environment variables.");
        var options = SandboxOptions.Parse(start.SandboxArguments());
        var memoryPath = options.InMemory ? options.DataPath : null;
        var time = new FakeTimeProvider(options.Now ?? DateTimeOffset.UtcNow);
        var builder = SandboxBuilder.Create(options, time, TextWriter.Null);
        builder.Web.WebHost.UseTestServer();
        SandboxApp? app = null;
        try
        {
            app = await builder.BuildAsync(options.DataPath);
            await app.Web.StartAsync();
            return new InProcessSandbox(builder, app, time, memoryPath);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            await builder.DisposeAsync();
            if (memoryPath is not null) MemoryStorage.Remove(memoryPath);
            throw;
        }
    }

    /// <summary>Moves the sandbox's time forward (a --clock manual clock stays where it is: it
    /// moves only by POST /_sandbox/clock).</summary>
    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>A client that sends `Authorization: Bearer key` (null: no Authorization header).
    /// One per key, kept for the life of the server.</summary>
    public HttpClient Client(string? key) => _clients.GetOrAdd(key ?? "", NewClient);

    /// <summary>A client of its own, not shared; the caller disposes it.</summary>
    public HttpClient NewClient(string? key)
    {
        var client = new HttpClient(_server.CreateHandler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(key)) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Anonymous => Client(null);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        await _app.Web.StopAsync();
        await _app.DisposeAsync();
        await _builder.DisposeAsync();
        if (_memoryPath is not null) MemoryStorage.Remove(_memoryPath);
    }
}
