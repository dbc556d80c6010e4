using System;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using GiftStudio.Pipeline;

namespace GiftStudio;

/// <summary>The client's transport: one request through the handler chain, its body read
/// within the timeout, and whatever goes wrong turned into a <see cref="SocialOsException"/>
/// (<see cref="ErrorMapping"/>). The typed operations and the general request build on it.</summary>
public sealed partial class SocialOsClient
{
    private Task<TResult> PostAsync<TResponse, TResult>(Uri uri, byte[] bytes,
        JsonTypeInfo<TResponse> responseType, Func<TResponse, Func<DateTimeOffset?, AppliedBy>, TResult> map, string label, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // One key per logical call, kept by every retry of it: the server applies it once.
        var key = string.IsNullOrEmpty(idempotencyKey) ? NewIdempotencyKey() : idempotencyKey!;
        return SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = JsonMediaType.ForRequests;
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return request;
        }, new CallRecord(label, key, RequestKind.IdempotentByKey, keyFromCaller: !string.IsNullOrEmpty(idempotencyKey)), responseType, map, cancellationToken);
    }

    // The two POST routes are fixed: resolved once per client, not once per row of a pipeline
    // (Uri is immutable, so the requests share it).
    private Uri GiftsUri => _giftsUri ??= RequestRules.Resolve(BaseUri, Routes.CreateGift.For());

    private Uri ScoreUri => _scoreUri ??= RequestRules.Resolve(BaseUri, Routes.UpdateScore.For());

    /// <summary>A fresh key for a call that was given none.</summary>
    public static string NewIdempotencyKey() => Guid.NewGuid().ToString("N");

    private Task<TResult> GetAsync<TResponse, TResult>(string path, JsonTypeInfo<TResponse> responseType, Func<TResponse, TResult> map, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, RequestRules.Resolve(BaseUri, path)), new CallRecord(null, null, RequestKind.Safe), responseType, (dto, _) => map(dto), cancellationToken);

    /// <summary>Sends (the handler chain adds the key, retries and per-attempt timeouts),
    /// reads the body within the timeout, and maps it. Whatever goes wrong after the
    /// request left becomes a <see cref="SocialOsException"/> that says whether the call
    /// may have been applied; the caller's cancellation stays an OperationCanceledException.</summary>
    private Task<TResult> SendAsync<TResponse, TResult>(Func<HttpRequestMessage> createRequest, CallRecord call, JsonTypeInfo<TResponse> responseType,
        Func<TResponse, Func<DateTimeOffset?, AppliedBy>, TResult> map, CancellationToken cancellationToken) =>
        SendAsync(createRequest, call, (response, content) =>
        {
            var dto = JsonSerializer.Deserialize(content, responseType) ?? throw new JsonException("The body is JSON null.");
            return map(dto, recordedAt => Replies.AppliedByOf(response, call, recordedAt));
        }, cancellationToken);

    private async Task<TResult> SendAsync<TResult>(Func<HttpRequestMessage> createRequest, CallRecord call,
        Func<HttpResponseMessage, byte[], TResult> read, CancellationToken cancellationToken)
    {
        using var request = createRequest();
        // The same header as Accept.ParseAdd would write, without parsing it on every call.
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        call.AttachTo(request);
        var target = request.RequestUri!;
        var method = request.Method.Method;
        if (_disposed) throw new ObjectDisposedException(nameof(SocialOsClient));
        // Held until the body is read: a factory retires a rotated-out handler chain only once
        // no HttpClient on it is left.
        var http = _http();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitOpenException e)
        {
            throw ErrorMapping.CircuitOpen(method, target, e, call);
        }
        catch (TimeoutException e)
        {
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (HttpRequestException e)
        {
            throw ErrorMapping.Unreachable(method, target, e, call);
        }

        using (response)
        {
            var content = await ReadBodyAsync(response, method, target, call, cancellationToken).ConfigureAwait(false);
            GC.KeepAlive(http);
            if (!response.IsSuccessStatusCode) throw ErrorMapping.FromResponse(method, target, response, content, call);
            try
            {
                return read(response, content);
            }
            catch (JsonException e)
            {
                throw ErrorMapping.UnreadableBody(method, target, response, content, e, call);
            }
        }
    }

    /// <summary>The whole body, within the timeout: a server that stalls mid-body cannot
    /// hold the call forever, and the caller can cancel it.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string method, Uri target, CallRecord call, CancellationToken cancellationToken)
    {
        if (response.Content is null) return Array.Empty<byte>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, 81920, timeout.Token).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (response.IsSuccessStatusCode) call.NoteMaybeApplied($"HTTP {(int)response.StatusCode} whose body never arrived");
            throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
        }
        catch (Exception e) when (e is HttpRequestException || e is IOException || e is ObjectDisposedException && timeout.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            if (response.IsSuccessStatusCode) call.NoteMaybeApplied($"HTTP {(int)response.StatusCode} whose body was cut off");
            if (timeout.IsCancellationRequested) throw ErrorMapping.Timeout(method, target, Options.Timeout, e, call);
            throw ErrorMapping.Unreachable(method, target, e, call);
        }
    }
}
