using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>Reads the body of a JSON POST, at most <see cref="RequestValidation.MaxBodyBytes"/>
/// (64 KiB, the contract's limit); a larger body is answered 413 after draining it.</summary>
public static class JsonBody
{
    /// <summary>How much of an oversized body is read and discarded (64 MiB), so that a client
    /// still uploading gets to read the 413 instead of a reset connection.</summary>
    public const long MaxDrainedBytes = 64L * 1024 * 1024;

    /// <summary>Kestrel's own body limit (65 MiB): above <see cref="MaxDrainedBytes"/>, so the
    /// 64 KiB rule answers and the drain completes before Kestrel would cut the connection.</summary>
    public const long ServerLimitBytes = MaxDrainedBytes + 1024 * 1024;

    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > RequestValidation.MaxBodyBytes)
        {
            await DrainAsync(request.Body, context.RequestAborted);
            throw RequestValidation.TooLarge();
        }

        // Content-Length given (the usual case): one array of that size, read in place; the
        // profile showed an 8 KiB chunk and a growing copy per request as the top allocation.
        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), context.RequestAborted)) > 0) filled += got;
            return filled == exact.Length ? exact : exact[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > RequestValidation.MaxBodyBytes)
                {
                    await DrainAsync(request.Body, context.RequestAborted);
                    throw RequestValidation.TooLarge();
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    private static async Task DrainAsync(Stream body, CancellationToken aborted)
    {
        var chunk = new byte[64 * 1024];
        long drained = 0;
        int read;
        while (drained < MaxDrainedBytes && (read = await body.ReadAsync(chunk, aborted)) > 0) drained += read;
    }
}
