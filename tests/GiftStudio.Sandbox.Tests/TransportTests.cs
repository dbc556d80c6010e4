using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Rules as a client meets them on a socket, so on a child process: the 64 KiB body
/// limit with a Content-Length or chunked, up to sizes where Kestrel's own limits would cut the
/// connection first, and a header line with an empty value (which TestServer does not pass on).
/// The other rules run in-process (<see cref="ValidationTests"/>, <see cref="IdempotencyTests"/>).</summary>
public sealed class TransportTests : IClassFixture<SharedSandbox>
{
    private readonly SharedSandbox _sandbox;

    public TransportTests(SharedSandbox sandbox) => _sandbox = sandbox;

    private static string GiftWith() => """{"name":"Gift","tier":"gold","reward":500}""";

    /// <summary>A valid gift body padded with an unknown property to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] GiftOfSize(int size)
    {
        var head = "{\"name\":\"Big\",\"tier\":\"gold\",\"reward\":1,\"pad\":\"";
        var tail = "\"}";
        var body = head + new string('p', size - head.Length - tail.Length) + tail;
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(size, bytes.Length);
        return bytes;
    }

    [Fact]
    public async Task Body_of_exactly_64_KiB_is_accepted()
    {
        using var client = _sandbox.Server.NewClient(SharedSandbox.K1);

        var answer = await client.PostBytesAsync(SandboxCalls.Gifts, GiftOfSize(64 * 1024), "application/json");

        answer.IsOk();
    }

    /// <summary>Each oversized body goes on a client of its own, so a connection the server drops
    /// afterwards cannot break another test's request.</summary>
    [Theory]
    [InlineData(64 * 1024 + 1)]
    [InlineData(200 * 1024)]
    [InlineData(512 * 1024)]
    public async Task Body_over_64_KiB_is_413(int size)
    {
        using var client = _sandbox.Server.NewClient(SharedSandbox.K1);

        var answer = await client.PostBytesAsync(SandboxCalls.Gifts, GiftOfSize(size), "application/json");

        answer.Is(413, "payload-too-large");
    }

    /// <summary>"Bodies over 64 KiB are 413s" holds for any size. The sandbox answers 413 before
    /// reading the body and Kestrel then aborts the connection once the unread rest passes its
    /// 1 MB MaxRequestBodySize; .NET's HttpClient (what GiftStudio uses) is still uploading, gets a
    /// broken pipe, and never sees the 413 problem.</summary>
    [Fact]
    public async Task Body_of_8_MiB_is_answered_413_not_a_dropped_connection()
    {
        using var client = _sandbox.Server.NewClient(SharedSandbox.K1);
        Answer? answer = null;
        Exception? transport = null;

        try
        {
            answer = await client.PostBytesAsync(SandboxCalls.Gifts, GiftOfSize(8 * 1024 * 1024), "application/json");
        }
        catch (HttpRequestException e)
        {
            transport = e;
        }

        Assert.True(transport is null,
            $"POST {SandboxCalls.Gifts} with an 8 MiB body (Content-Length 8388608) failed in transport instead of answering 413: " +
            $"{transport?.GetType().Name}: {transport?.Message} / {transport?.InnerException?.Message}");
        answer!.Is(413, "payload-too-large");
    }

    [Fact]
    public async Task Chunked_body_over_64_KiB_is_413()
    {
        using var client = _sandbox.Server.NewClient(SharedSandbox.K1);
        var content = new ChunkedContent(GiftOfSize(70 * 1024));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        var answer = await client.ExchangeAsync(new HttpRequestMessage(HttpMethod.Post, SandboxCalls.Gifts) { Content = content });

        answer.Is(413, "payload-too-large");
    }

    [Fact]
    public async Task Chunked_body_under_64_KiB_is_accepted()
    {
        var content = new ChunkedContent(Encoding.UTF8.GetBytes(GiftWith()));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        var answer = await _sandbox.Client1.ExchangeAsync(new HttpRequestMessage(HttpMethod.Post, SandboxCalls.Gifts) { Content = content });

        answer.IsOk();
    }

    /// <summary>Content without a length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 8192)
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>An empty Idempotency-Key (length 0) is outside 1 to 255 printable ASCII characters;
    /// the 256-character case is in <see cref="IdempotencyTests"/>.</summary>
    [Theory]
    [InlineData(0)]
    public Task Key_outside_1_to_255_printable_ascii_is_400(int length) => IdempotencyTests.AssertKeyIsRefusedAsync(_sandbox.Client1, length);
}
