using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using GiftStudio.Wire;

namespace GiftStudio
{
    /// <summary>The one place where a failed call becomes a <see cref="SocialOsException"/>.</summary>
    internal static class ErrorMapping
    {
        public static SocialOsException FromResponse(string method, Uri uri, HttpResponseMessage response, byte[] content)
        {
            var status = (int)response.StatusCode;
            var requestId = RequestIdOf(response);
            var problem = TryReadProblem(response, content);
            var errors = problem?.Errors?.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
            string what;
            if (problem?.Detail is { Length: > 0 } detail) what = detail;
            else if (problem?.Title is { Length: > 0 } title) what = title;
            else what = DescribeBody(response, content);
            var message = $"{what} (HTTP {status} {response.ReasonPhrase}; {method} {uri.AbsolutePath}; request id {requestId ?? "none"})";
            return new SocialOsException(message, status, requestId, method, uri, problem?.Type, problem?.Title, problem?.Detail, errors)
            {
                RetryAfter = RetryAfterOf(response),
            };
        }

        /// <summary>A 404 for the route itself: this server does not offer it. Says whether the
        /// route is one of the contract's extensions, and when the base URI has no version path,
        /// that the routes live under /v2.</summary>
        public static SocialOsException RouteNotOffered(SocialOsException notFound, string route, bool extension, Uri baseUri)
        {
            var why = extension
                ? $"This server does not offer {route}, one of the SocialOS v2 contract's extensions beyond the vendor's published guide (GiftStudio's sandbox offers it; the hosted service may not)."
                : $"This server does not offer {route}, a route of the published SocialOS v2 API: check the base URI.";
            var said = notFound.Detail is { Length: > 0 } detail ? detail : notFound.Title;
            var message = $"{why}{VersionHint(baseUri)}{(said is { Length: > 0 } ? $" The server said: {said}" : "")} (HTTP 404; {notFound.Method} {notFound.RequestUri?.AbsolutePath}; request id {notFound.RequestId ?? "none"})";
            return new SocialOsException(message, notFound.StatusCode, notFound.RequestId, notFound.Method, notFound.RequestUri,
                notFound.ProblemType, notFound.Title, notFound.Detail, notFound.Errors, notFound)
            {
                RetryAfter = notFound.RetryAfter,
            };
        }

        /// <summary>A hint when the base URI lacks the version path (…/v2) that every route lives under.</summary>
        public static string VersionHint(Uri baseUri)
        {
            var last = baseUri.AbsolutePath.TrimEnd('/').Split('/').Last();
            var versioned = last.Length > 1 && (last[0] == 'v' || last[0] == 'V') && last.Skip(1).All(char.IsDigit);
            return versioned ? "" : $" The base URI {baseUri} has no version path; SocialOS v2 routes live under /v2, e.g. {new Uri(baseUri, "v2")}.";
        }

        public static SocialOsException UnreadableBody(string method, Uri uri, HttpResponseMessage response, byte[] content, Exception error)
        {
            var requestId = RequestIdOf(response);
            return new SocialOsException(
                $"The server answered HTTP {(int)response.StatusCode} but its body could not be read as the expected JSON: {error.Message} Body starts: {Snippet(content)} ({method} {uri.AbsolutePath}; request id {requestId ?? "none"})",
                (int)response.StatusCode, requestId, method, uri, innerException: error);
        }

        public static SocialOsException Unreachable(string method, Uri uri, Exception error) =>
            new SocialOsException($"Could not reach {uri.GetLeftPart(UriPartial.Authority)}: {error.GetBaseException().Message} ({method} {uri.AbsolutePath})",
                0, null, method, uri, innerException: error);

        public static SocialOsException Timeout(string method, Uri uri, TimeSpan timeout, Exception error) =>
            new SocialOsException($"No answer from {uri.GetLeftPart(UriPartial.Authority)} within {timeout.TotalSeconds:0.#} s ({method} {uri.AbsolutePath}); raise the timeout with Connect-SocialOS -TimeoutSec.",
                0, null, method, uri, innerException: new TimeoutException(error.Message, error));

        public static string? RequestIdOf(HttpResponseMessage response) =>
            response.Headers.TryGetValues("X-Request-Id", out var values) ? values.FirstOrDefault() : null;

        /// <summary>Retry-After as delta-seconds or an HTTP date.</summary>
        public static TimeSpan? RetryAfterOf(HttpResponseMessage response)
        {
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (retryAfter?.Date is DateTimeOffset date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return null;
        }

        private static ProblemDto? TryReadProblem(HttpResponseMessage response, byte[] content)
        {
            var mediaType = response.Content?.Headers.ContentType?.MediaType ?? "";
            if (content.Length == 0 || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)) return null;
            try
            {
                return JsonSerializer.Deserialize(content, WireContext.Default.ProblemDto);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string DescribeBody(HttpResponseMessage response, byte[] content) =>
            content.Length == 0
                ? $"The server answered {(int)response.StatusCode} {response.ReasonPhrase} with no body"
                : $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}: {Snippet(content)}";

        /// <summary>The start of a body as one line of printable text (an HTML error page, say).</summary>
        private static string Snippet(byte[] content)
        {
            var text = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 300));
            var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
            return content.Length > 300 ? printable + "…" : printable;
        }
    }
}
