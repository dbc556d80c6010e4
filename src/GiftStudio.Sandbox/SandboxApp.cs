using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Sandbox.Http;
using GiftStudio.Sandbox.Logging;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GiftStudio.Sandbox;

/// <summary>A built sandbox (see <see cref="SandboxBuilder"/>): the web application and what it
/// serves from. Its host starts it (Program.cs on Kestrel, a test on TestServer); disposing it
/// stops the application, then closes the data file.</summary>
public sealed class SandboxApp : IAsyncDisposable
{
    private readonly Database _database;
    private int _disposed;

    private readonly LogSink _sink;

    internal SandboxApp(WebApplication web, Database database, SandboxStore store, RequestStats stats, string? seeded, LogSink sink)
    {
        _sink = sink;
        Web = web;
        _database = database;
        Store = store;
        Stats = stats;
        Seeded = seeded;
    }

    public WebApplication Web { get; }
    public SandboxStore Store { get; }
    public RequestStats Stats { get; }

    /// <summary>What --seed did, for the start lines (null without --seed).</summary>
    public string? Seeded { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await Web.DisposeAsync();
        await _database.DisposeAsync();
        // One line, and the stop goes on to its exit code.
        if (_database.CloseFailure is { } failure)
            _sink.Write(LogLevel.Error, "GiftStudio.Sandbox", $"Stopping: {failure}.",
                new[] { new KeyValuePair<string, object?>("Event", "close-failed"), new KeyValuePair<string, object?>("Reason", failure) });
    }
}
