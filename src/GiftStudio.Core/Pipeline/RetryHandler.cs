using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Pipeline;

/// <summary>Retries what is safe to retry. 429 and 503 (the server did no work) and 409
/// (the first attempt is still running) always; network failures, timeouts, 408, 500, 502
/// and 504 only when a second send is harmless (<see cref="RequestKinds"/>: a read, PUT,
/// DELETE, or a POST carrying an Idempotency-Key, which every GiftStudio POST does). Other 4xx never. Each attempt has
/// its own timeout; the waits honour Retry-After (seconds or HTTP date) and, on a 429
/// without it, X-RateLimit-Reset.</summary>
public sealed class RetryHandler : DelegatingHandler
{
    private static readonly Random Jitter = new Random();

    private readonly RetryPolicy _policy;
    private readonly TimeSpan _attemptTimeout;
    private readonly IRequestLog? _fallbackLog;
    private readonly CircuitBreaker? _breaker;

    public RetryHandler(RetryPolicy policy, TimeSpan attemptTimeout, IRequestLog? fallbackLog, CircuitBreaker? breaker = null)
    {
        _policy = policy;
        _attemptTimeout = attemptTimeout;
        _fallbackLog = fallbackLog;
        _breaker = breaker;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var budget = Stopwatch.StartNew();
        var call = CallRecord.Of(request);
        if (call == null)
        {
            var key = request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.FirstOrDefault() : null;
            call = new CallRecord(null, key, RequestKinds.Of(request.Method.Method, key != null), keyFromCaller: key != null);
            call.AttachTo(request);
        }
        var idempotent = call.Kind.MaySendAgain();
        // Only a retry's log line names the call: nothing is formatted on the usual path.
        string What() => $"{request.Method} {request.RequestUri}{call.Describe()}";
        for (var attempt = 0; ; attempt++)
        {
            var trial = false;
            if (_breaker != null && !_breaker.TryEnter(out trial))
            {
                // A trial call is deciding whether the break is over: wait for its verdict
                // (at most one stall window) rather than fail a re-run's first rows at once.
                if (!(_breaker.PendingTrial is Task verdict)) throw new CircuitOpenException(_breaker);
                await WaitOrCancel(verdict, cancellationToken).ConfigureAwait(false);
                if (!_breaker.TryEnter(out trial)) throw new CircuitOpenException(_breaker);
            }
            call.StartAttempt();
            HttpResponseMessage? response = null;
            Exception? failure = null;
            var stalled = false;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_attemptTimeout);
                try
                {
                    var sending = base.SendAsync(request, timeout.Token);
                    stalled = await WatchForStall(sending, timeout).ConfigureAwait(false);
                    response = await sending.ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (stalled && !cancellationToken.IsCancellationRequested)
                {
                    failure = new ServerSilentException($"No answer to any request for {_breaker!.StallWindow.TotalSeconds:0.#} s: the server may be hung or frozen.", e);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // A timeout during which no request got any answer is a silent server, not a slow one.
                    failure = _breaker != null && _breaker.Silence >= _attemptTimeout
                        ? new ServerSilentException($"No answer to any request within {_attemptTimeout.TotalSeconds:0.#} s: the server may be hung or frozen.", e)
                        : new TimeoutException($"No response within {_attemptTimeout.TotalSeconds:0.#} s.", e);
                }
                catch (Exception e) when (e is HttpRequestException || e is IOException)
                {
                    failure = e;
                }
                catch
                {
                    _breaker?.OnAbandoned(trial);
                    throw;
                }
            }
            RecordAttempt(call, response, failure, trial, stalled);

            var reason = response != null ? RetryReason(response, idempotent) : (idempotent ? Describe(failure!) : null);
            var last = reason == null || attempt >= _policy.MaxRetries;
            var delay = last ? TimeSpan.Zero : DelayFor(attempt, response);
            if (!last && budget.Elapsed + delay > _policy.Budget)
            {
                Log()?.Verbose($"Not retrying {What()} ({reason}): waiting {delay.TotalSeconds:0.0} s would pass the {_policy.Budget.TotalSeconds:0} s retry budget.");
                last = true;
            }
            if (last)
            {
                if (response != null) return response;
                if (failure is TimeoutException) throw failure;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure!).Throw();
            }
            // No point waiting out a backoff for an attempt the breaker would refuse anyway.
            if (_breaker != null && _breaker.IsRefusing)
            {
                response?.Dispose();
                throw new CircuitOpenException(_breaker);
            }

            Log()?.Verbose($"Retrying {What()} in {delay.TotalSeconds:0.0} s (retry {attempt + 1} of {_policy.MaxRetries}): {reason}.");
            response?.Dispose();
            await _policy.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitOrCancel(Task task, CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Waits for the attempt's answer while the connection's stall rule allows:
    /// when no request of the connection has had any answer for the stall window, the
    /// attempt is cancelled and true returned. Without the rule, returns at once.</summary>
    private async Task<bool> WatchForStall(Task<HttpResponseMessage> sending, CancellationTokenSource attempt)
    {
        if (_breaker == null) return false;
        using var stop = new CancellationTokenSource();
        try
        {
            while (!sending.IsCompleted)
            {
                if (!(_breaker.TimeUntilStalled() is TimeSpan left)) return false;
                if (left <= TimeSpan.Zero)
                {
                    attempt.Cancel();
                    return true;
                }
                await Task.WhenAny(sending, Task.Delay(left, stop.Token)).ConfigureAwait(false);
            }
            return false;
        }
        finally
        {
            stop.Cancel();
        }
    }

    /// <summary>Feeds the breaker, and notes what the attempt did, and whether it may have
    /// been applied without the client learning so: a lost answer after sending, or a gateway
    /// that gave up on the origin (502, 504). A request that never left, or any other answer,
    /// is definite.</summary>
    private void RecordAttempt(CallRecord call, HttpResponseMessage? response, Exception? failure, bool trial, bool stalled)
    {
        if (response != null)
        {
            _breaker?.OnAnswer(trial);
            var status = (int)response.StatusCode;
            var gateway = ErrorMapping.IsGatewayGiveUp(status);
            call.NoteAttempt($"HTTP {status} {response.ReasonPhrase}" + (gateway ? " from a gateway" : ""), mayHaveBeenApplied: gateway);
            return;
        }
        if (stalled) _breaker!.OnStalled(trial);
        else _breaker?.OnNoAnswer(trial);
        var notSent = NetworkFailure.CertainlyNotSent(failure!);
        call.NoteAttempt(Describe(failure!) + (notSent ? " (nothing was sent)" : " after the request was sent"), mayHaveBeenApplied: !notSent);
    }

    private IRequestLog? Log() => RequestLogScope.Current ?? _fallbackLog;

    /// <summary>Why a response is worth another attempt, or null when it is final.</summary>
    internal static string? RetryReason(HttpResponseMessage response, bool idempotent)
    {
        var status = (int)response.StatusCode;
        var text = $"HTTP {status} {response.ReasonPhrase}";
        switch (status)
        {
            case 429: return text + " (rate limited)";
            case 503: return text + " (service unavailable)";
            case 409: return text + " (the first attempt is still running)";
            case 408:
            case 500:
            case 502:
            case 504:
                return idempotent ? text : null;
            default:
                return null;
        }
    }

    private static string Describe(Exception failure) =>
        failure is TimeoutException ? failure.Message.TrimEnd('.') : "network failure: " + failure.GetBaseException().Message.TrimEnd('.');

    /// <summary>The server's hint when it gave one, else capped exponential backoff with
    /// jitter (between half and all of base × 2^attempt).</summary>
    internal TimeSpan DelayFor(int attempt, HttpResponseMessage? response)
    {
        var hinted = response == null ? null : ServerHint(response, DateTimeOffset.UtcNow);
        if (hinted is TimeSpan hint) return hint > _policy.MaxDelay ? _policy.MaxDelay : hint;
        var exponential = _policy.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        double factor;
        lock (Jitter) factor = 0.5 + Jitter.NextDouble() * 0.5;
        return TimeSpan.FromMilliseconds(Math.Min(_policy.MaxDelay.TotalMilliseconds, exponential * factor));
    }

    /// <summary>Retry-After (delta-seconds or HTTP date), else X-RateLimit-Reset on a 429.</summary>
    internal static TimeSpan? ServerHint(HttpResponseMessage response, DateTimeOffset now)
    {
        if (ErrorMapping.RetryAfterOf(response, now) is TimeSpan retryAfter) return retryAfter;
        if (response.StatusCode == (HttpStatusCode)429
            && response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return null;
    }
}
