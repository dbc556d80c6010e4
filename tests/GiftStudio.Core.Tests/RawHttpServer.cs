using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace GiftStudio.Core.Tests;

/// <summary>One HTTP/1.1 request exactly as it arrived on the socket.</summary>
public sealed class RecordedRequest
{
    public RecordedRequest(string method, string target, string version, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    /// <summary>The request target as sent: path and query.</summary>
    public string Target { get; }

    public string Version { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
    public byte[] Body { get; }

    public string Path => Target.Split('?')[0];
    public string Query => Target.Contains('?') ? Target[(Target.IndexOf('?') + 1)..] : "";
    public string BodyText => Encoding.UTF8.GetString(Body);

    public IReadOnlyList<string> Values(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();

    /// <summary>The header's value (several joined with ", "), or null when absent.</summary>
    public string? Header(string name)
    {
        var values = Values(name);
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    public override string ToString() => $"{Method} {Target}";
}

/// <summary>The raw bytes a <see cref="RawHttpServer"/> writes back, and whether it then keeps
/// the connection open without another byte (a server that hangs).</summary>
public sealed class CannedResponse
{
    private static readonly Dictionary<int, string> Reasons = new()
    {
        [200] = "OK",
        [201] = "Created",
        [204] = "No Content",
        [302] = "Found",
        [400] = "Bad Request",
        [401] = "Unauthorized",
        [404] = "Not Found",
        [409] = "Conflict",
        [413] = "Content Too Large",
        [422] = "Unprocessable Content",
        [429] = "Too Many Requests",
        [500] = "Internal Server Error",
        [502] = "Bad Gateway",
        [503] = "Service Unavailable",
    };

    public CannedResponse(byte[] bytes, bool holdOpen)
    {
        Bytes = bytes;
        HoldOpen = holdOpen;
    }

    public byte[] Bytes { get; }
    public bool HoldOpen { get; }

    /// <summary>Reads the request, then never answers and never closes (until the server stops).</summary>
    public static CannedResponse NoAnswer { get; } = new(Array.Empty<byte>(), holdOpen: true);

    /// <summary>Reads the request, then closes the connection without a byte of response.</summary>
    public static CannedResponse Drop { get; } = new(Array.Empty<byte>(), holdOpen: false);

    /// <summary>Answers the n-th request (0-based) with the n-th response; the last one repeats.</summary>
    public static Func<RecordedRequest, CannedResponse> Sequence(params CannedResponse[] responses)
    {
        var next = -1;
        return _ => responses[Math.Min(System.Threading.Interlocked.Increment(ref next), responses.Length - 1)];
    }

    public static string Reason(int status) => Reasons.TryGetValue(status, out var reason) ? reason : "Status";

    /// <summary>A complete response with Content-Length and Connection: close. Headers are
    /// "Name: value" lines.</summary>
    public static CannedResponse Build(int status, string? contentType, byte[] body, IEnumerable<string>? headers = null)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {Reason(status)}\r\n");
        if (contentType is not null) head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        head.Append("Connection: close\r\n");
        foreach (var header in headers ?? Array.Empty<string>()) head.Append(header).Append("\r\n");
        head.Append("\r\n");
        return new CannedResponse(Encoding.ASCII.GetBytes(head.ToString()).Concat(body).ToArray(), holdOpen: false);
    }

    public static CannedResponse Json(int status, string json, params string[] headers) =>
        Build(status, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(json), headers);

    public static CannedResponse Problem(int status, string json, params string[] headers) =>
        Build(status, "application/problem+json", Encoding.UTF8.GetBytes(json), headers);

    public static CannedResponse Text(int status, string contentType, string body, params string[] headers) =>
        Build(status, contentType, Encoding.UTF8.GetBytes(body), headers);

    public static CannedResponse Empty(int status, params string[] headers) => Build(status, null, Array.Empty<byte>(), headers);

    /// <summary>The status line, the headers (announcing <paramref name="declaredLength"/> bytes)
    /// and the start of the body, then silence with the connection left open.</summary>
    public static CannedResponse HeadersThenStall(int status, string contentType, string partialBody, int declaredLength)
    {
        var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {declaredLength}\r\n\r\n";
        return new CannedResponse(Encoding.ASCII.GetBytes(head).Concat(Encoding.UTF8.GetBytes(partialBody)).ToArray(), holdOpen: true);
    }
}

/// <summary>A tiny real HTTP/1.1 server on 127.0.0.1 and a free port: records every request
/// (method, target, headers, body bytes) and answers each with a canned raw response, one
/// request per connection. Dispose stops the listener and closes every connection.</summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, CannedResponse> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly ConcurrentDictionary<int, TcpClient> _connections = new();
    private readonly ConcurrentQueue<Task> _handlers = new();
    private readonly Task _acceptLoop;
    private int _connectionCount;
    private int _disposed;

    public RawHttpServer(CannedResponse response) : this(_ => response)
    {
    }

    public RawHttpServer(Func<RecordedRequest, CannedResponse> respond)
    {
        _respond = respond;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>The API root, deliberately without a trailing slash.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/v2");

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>The next request to arrive (in arrival order); fails after 10 s.</summary>
    public async Task<RecordedRequest> NextRequestAsync() =>
        await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(ArrivalTimeout);

    /// <summary>The only request the server received.</summary>
    public RecordedRequest Single()
    {
        var all = Requests;
        if (all.Count != 1) throw new InvalidOperationException($"Expected exactly one request, got {all.Count}: {string.Join("; ", all)}");
        return all[0];
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _handlers.Enqueue(HandleAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
        {
            // Stopped.
        }
        await Task.WhenAll(_handlers);
    }

    private async Task HandleAsync(TcpClient client)
    {
        var id = Interlocked.Increment(ref _connectionCount);
        _connections[id] = client;
        try
        {
            using (client)
            {
                // Held here: disposing the TcpClient (server stopping) nulls client.Client.
                var socket = client.Client;
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null) return;
                _requests.Enqueue(request);
                _arrivals.Writer.TryWrite(request);
                var response = _respond(request);
                if (response.Bytes.Length > 0)
                {
                    await stream.WriteAsync(response.Bytes, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                }
                if (response.HoldOpen)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                // Connection: close — end our side, then let the client close its side.
                socket.Shutdown(SocketShutdown.Send);
                var sink = new byte[1024];
                while (await stream.ReadAsync(sink, _stop.Token) > 0)
                {
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException || e is IOException || e is SocketException || e is ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancel)
    {
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            var read = await stream.ReadAsync(chunk, cancel);
            if (read == 0) return null;
            buffer.AddRange(chunk.Take(read));
            headerEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray());
            if (headerEnd < 0 && buffer.Count > 64 * 1024) throw new IOException("Request head over 64 KiB.");
        }

        var head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers.Add(new KeyValuePair<string, string>(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        var lengthHeader = headers.FirstOrDefault(h => string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        if (headers.Any(h => string.Equals(h.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            throw new IOException("Chunked request bodies are not supported by this test server; the client should send Content-Length.");
        var length = lengthHeader is null ? 0 : int.Parse(lengthHeader, CultureInfo.InvariantCulture);
        var body = buffer.Skip(headerEnd + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, cancel);
            if (read == 0) return null;
            body.AddRange(chunk.Take(read));
        }
        return new RecordedRequest(requestLine[0], requestLine[1], requestLine[2], headers, body.Take(length).ToArray());
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Count - needle.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++) match = haystack[i + j] == needle[j];
            if (match) return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        _listener.Stop();
        foreach (var connection in _connections.Values) connection.Dispose();
        await _acceptLoop;
        _arrivals.Writer.TryComplete();
        _stop.Dispose();
    }
}
