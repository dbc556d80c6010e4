using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Http;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The factory's handler rotation is what lets a long runbook follow DNS changes:
/// a connection opened before a change keeps its old address for as long as it lives, so
/// the client must open new connections (each with a new lookup) from time to time. DNS
/// itself cannot be changed on a test machine, so these tests prove the step that matters:
/// once the handler lifetime has passed, the next call opens a NEW TCP connection, while
/// within the lifetime calls reuse one; and the circuit breaker, which is the connection's,
/// keeps its state across a rotation.</summary>
public sealed class HandlerRotationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_module_rotates_handlers_every_two_minutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), SocialOsClientOptions.DefaultHandlerLifetime);
        Assert.Equal(SocialOsClientOptions.DefaultHandlerLifetime, new SocialOsClientOptions().HandlerLifetime);
    }

    [Fact]
    public async Task Within_the_handler_lifetime_calls_reuse_one_tcp_connection()
    {
        await using var server = new KeepAliveServer();
        var chains = 0;
        var options = Clients.Options(server.BaseUri);
        options.HandlerChainBuilt = () => Interlocked.Increment(ref chains);
        using var client = SocialOsHttp.CreateClient(options);

        for (var i = 0; i < 5; i++)
            await Bounded.Within(client.SendAsync(HttpMethod.Get, "gamification/gifts"), Limit, "a GET");

        Assert.Equal(5, server.Requests);
        Assert.Equal(1, server.Accepted);
        Assert.Equal(1, Volatile.Read(ref chains));
    }

    [Fact]
    public async Task Once_the_handler_lifetime_has_passed_the_next_call_opens_a_new_tcp_connection()
    {
        await using var server = new KeepAliveServer();
        var chains = 0;
        var options = Clients.Options(server.BaseUri);
        options.HandlerLifetime = TimeSpan.FromSeconds(1); // the factory's minimum
        options.HandlerChainBuilt = () => Interlocked.Increment(ref chains);
        using var client = SocialOsHttp.CreateClient(options);

        await Bounded.Within(client.SendAsync(HttpMethod.Get, "gamification/gifts"), Limit, "the first GET");
        Assert.Equal(1, server.Accepted);

        // The server keeps every connection open, so only a new handler chain (a new pool)
        // makes the client open a second one. The factory expires a chain on a timer of its own
        // (it takes no TimeProvider), so real time has to pass: poll with calls, a generous
        // overall limit, and no assertion on how long it took.
        var deadline = DateTime.UtcNow + Limit;
        while (server.Accepted < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            await Bounded.Within(client.SendAsync(HttpMethod.Get, "gamification/gifts"), Limit, "a later GET");
        }

        Assert.True(server.Accepted >= 2, $"No new connection within {Limit.TotalSeconds} s: {server.Accepted} accepted, {server.Requests} requests.");
        Assert.True(Volatile.Read(ref chains) >= 2);
        Assert.Equal(0, server.ClosedByClientBeforeAnswer);
    }

    [Fact]
    public async Task The_circuit_breaker_stays_open_across_a_handler_rotation()
    {
        var now = new DateTime(2026, 11, 30, 2, 0, 0, DateTimeKind.Utc);
        var breaker = new CircuitBreaker(1, TimeSpan.FromMinutes(30), () => now);
        var chains = 0;
        using var closed = new ClosedPort();
        var options = Clients.Options(new Uri($"http://127.0.0.1:{closed.Port}/v2"));
        options.CircuitBreaker = breaker;
        options.HandlerLifetime = TimeSpan.FromSeconds(1); // the factory's minimum
        options.HandlerChainBuilt = () => Interlocked.Increment(ref chains);
        using var client = SocialOsHttp.CreateClient(options);

        // Nothing listens: the refused connection is an attempt without an answer, which opens it.
        var refused = await Bounded.Throws<SocialOsException>(() => client.SendAsync(HttpMethod.Get, "gamification/gifts"), Limit, "a GET to a closed port");
        Assert.False(refused.CircuitOpen);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, Volatile.Read(ref chains));

        // Calls go on until the factory has built a new chain for one of them: every one,
        // the last included, is refused by the breaker without touching the network.
        var deadline = DateTime.UtcNow + Limit;
        do
        {
            await Task.Delay(100);
            var error = await Bounded.Throws<SocialOsException>(() => client.SendAsync(HttpMethod.Get, "gamification/gifts"), Limit, "a GET while open");
            Assert.True(error.CircuitOpen, error.Message);
        }
        while (Volatile.Read(ref chains) < 2 && DateTime.UtcNow < deadline);

        Assert.True(Volatile.Read(ref chains) >= 2, $"No new handler chain within {Limit.TotalSeconds} s.");
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.ConsecutiveFailures);
    }

    /// <summary>An HTTP/1.1 server that keeps every connection open and answers each request
    /// with 200 and a small JSON body; it counts the TCP connections it accepted.</summary>
    private sealed class KeepAliveServer : IAsyncDisposable
    {
        private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<TcpClient> _clients = new();
        private readonly List<Task> _handlers = new();
        private readonly Task _acceptLoop;
        private int _accepted;
        private int _requests;
        private int _closedBeforeAnswer;

        public KeepAliveServer()
        {
            _listener.Start();
            BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v2");
            _acceptLoop = AcceptLoopAsync();
        }

        public Uri BaseUri { get; }

        public int Accepted => Volatile.Read(ref _accepted);

        public int Requests => Volatile.Read(ref _requests);

        public int ClosedByClientBeforeAnswer => Volatile.Read(ref _closedBeforeAnswer);

        private async Task AcceptLoopAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                    _clients.Add(client);
                    lock (_handlers) _handlers.Add(ServeAsync(client));
                }
            }
            catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var pending = new StringBuilder();
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        if (pending.Length > 0) Interlocked.Increment(ref _closedBeforeAnswer);
                        return;
                    }
                    pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    // GET requests only: a request ends with its blank line.
                    int end;
                    while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                    {
                        pending.Remove(0, end + 4);
                        Interlocked.Increment(ref _requests);
                        await stream.WriteAsync(Answer, _stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException || e is IOException || e is SocketException || e is ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var client in _clients) client.Dispose();
            await _acceptLoop;
            Task[] handlers;
            lock (_handlers) handlers = _handlers.ToArray();
            await Task.WhenAll(handlers);
            _stop.Dispose();
        }
    }
}
