using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.Pipeline
{
    /// <summary>Retries what is safe to retry. 429 and 503 (the server did no work) and 409
    /// (the first attempt is still running) always; network failures, timeouts, 408, 500, 502
    /// and 504 only when the request is idempotent: a GET, or a POST carrying an
    /// Idempotency-Key, which every GiftStudio POST does. Other 4xx never. Each attempt has
    /// its own timeout; the waits honour Retry-After (seconds or HTTP date) and, on a 429
    /// without it, X-RateLimit-Reset.</summary>
    public sealed class RetryHandler : DelegatingHandler
    {
        private static readonly Random Jitter = new Random();

        private readonly RetryPolicy _policy;
        private readonly TimeSpan _attemptTimeout;
        private readonly IRequestLog? _fallbackLog;

        public RetryHandler(RetryPolicy policy, TimeSpan attemptTimeout, IRequestLog? fallbackLog)
        {
            _policy = policy;
            _attemptTimeout = attemptTimeout;
            _fallbackLog = fallbackLog;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var budget = Stopwatch.StartNew();
            var idempotent = request.Method != HttpMethod.Post || request.Headers.Contains("Idempotency-Key");
            for (var attempt = 0; ; attempt++)
            {
                HttpResponseMessage? response = null;
                Exception? failure = null;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(_attemptTimeout);
                    try
                    {
                        response = await base.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = new TimeoutException($"No response within {_attemptTimeout.TotalSeconds:0.#} s.", e);
                    }
                    catch (Exception e) when (e is HttpRequestException || e is IOException)
                    {
                        failure = e;
                    }
                }

                var reason = response != null ? RetryReason(response, idempotent) : (idempotent ? Describe(failure!) : null);
                var last = reason == null || attempt >= _policy.MaxRetries;
                var delay = last ? TimeSpan.Zero : DelayFor(attempt, response);
                if (!last && budget.Elapsed + delay > _policy.Budget)
                {
                    Log()?.Verbose($"Not retrying {request.Method} {request.RequestUri} ({reason}): waiting {delay.TotalSeconds:0.0} s would pass the {_policy.Budget.TotalSeconds:0} s retry budget.");
                    last = true;
                }
                if (last)
                {
                    if (response != null) return response;
                    if (failure is TimeoutException) throw failure;
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure!).Throw();
                }

                Log()?.Verbose($"Retrying {request.Method} {request.RequestUri} in {delay.TotalSeconds:0.0} s (retry {attempt + 1} of {_policy.MaxRetries}): {reason}.");
                response?.Dispose();
                await _policy.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
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
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (retryAfter?.Date is DateTimeOffset date) return date > now ? date - now : TimeSpan.Zero;
            if (response.StatusCode == (HttpStatusCode)429
                && response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
                && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                && seconds >= 0)
                return TimeSpan.FromSeconds(seconds);
            return null;
        }
    }
}
