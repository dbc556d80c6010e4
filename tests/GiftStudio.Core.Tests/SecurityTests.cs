using System;
using System.Security;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The authentication and diagnostics handlers: the key goes only into the
/// Authorization header, only to https or loopback, and never into a log or a message.</summary>
public sealed class SecurityTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static NewGiftRequest AGift => new() { Name = "Welcome Pack", Tier = "gold", Reward = 500 };

    [Theory]
    [InlineData("http://example.invalid/v2")]
    [InlineData("http://sandbox.socialos.invalid:8080/v2")]
    [InlineData("http://10.255.255.1/v2")]
    [InlineData("http://192.0.2.1:5080/v2")]
    [InlineData("http://127.0.0.1.invalid/v2")]
    public async Task Plain_http_to_a_remote_host_is_refused_before_connecting(string baseUri)
    {
        // An unresolvable name or an unroutable address: had the client tried to connect, the
        // failure would be a SocialOsException (status 0) or a timeout, not this.
        var log = new RecordingLog();
        using var client = Clients.Create(new Uri(baseUri), timeout: TimeSpan.FromSeconds(3), log: log);

        var error = await Bounded.Throws<SocialOsConfigurationException>(() => client.CreateGiftAsync(AGift), Limit, "plain http to " + baseUri);

        Assert.Equal("InsecureTransport", error.ErrorId);
        Assert.Contains(new Uri(baseUri).Host, error.Message);
        Assert.DoesNotContain(Clients.Key, error.Message);
        Assert.Empty(log.VerboseLines); // nothing reached the diagnostics handler, let alone the socket handler
    }

    [Fact]
    public async Task Plain_http_to_a_remote_host_is_refused_for_gets_too()
    {
        using var client = Clients.Create(new Uri("http://example.invalid/v2"));

        var error = await Assert.ThrowsAsync<SocialOsConfigurationException>(() => client.GetCurrencyAuditAsync("gifts_redeemed", "7d"));

        Assert.Equal("InsecureTransport", error.ErrorId);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/v2", true)]
    [InlineData("http://127.10.20.30/v2", true)]
    [InlineData("http://localhost:5080/v2", true)]
    [InlineData("http://[::1]:5080/v2", true)]
    [InlineData("http://10.0.0.1/v2", false)]
    [InlineData("http://example.invalid/v2", false)]
    [InlineData("http://127.0.0.1.nip.io/v2", false)]
    [InlineData("http://localhost.example.com/v2", false)]
    [InlineData("http://[::2]/v2", false)]
    public void Loopback_is_recognised(string uri, bool loopback)
    {
        Assert.Equal(loopback, AuthenticationHandler.IsLoopback(new Uri(uri)));
    }

    [Fact]
    public async Task Plain_http_to_loopback_is_allowed()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(new Uri($"http://127.0.0.1:{server.Port}/v2"));

        var gift = await client.CreateGiftAsync(AGift);

        Assert.Equal("gift_w3lc", gift.GiftId);
    }

    [Fact]
    public async Task No_key_is_refused_before_sending()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        using var client = Clients.Create(server.BaseUri, key: null);

        var error = await Assert.ThrowsAsync<SocialOsConfigurationException>(() => client.CreateGiftAsync(AGift));

        Assert.Equal("NoApiKey", error.ErrorId);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_empty_key_is_refused_before_sending()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Audit));
        var options = Clients.Options(server.BaseUri);
        options.ApiKey = new SecureString();
        using var client = GiftStudio.Http.SocialOsHttp.CreateClient(options);

        var error = await Assert.ThrowsAsync<SocialOsConfigurationException>(() => client.GetCurrencyAuditAsync("gifts_redeemed", "7d"));

        Assert.Equal("NoApiKey", error.ErrorId);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task The_log_gets_request_and_status_lines_and_a_redacted_authorization()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift, "X-Request-Id: req_log1"));
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, log: log);

        await client.CreateGiftAsync(AGift);

        var requestLine = $"POST http://127.0.0.1:{server.Port}/v2/gamification/gifts [gift 'Welcome Pack', key {server.Requests[0].Header("Idempotency-Key")}]";
        Assert.Contains(requestLine, log.VerboseLines);
        var status = Assert.Single(log.VerboseLines, l => l.StartsWith(requestLine + " -> ", StringComparison.Ordinal));
        Assert.Contains("-> 200 OK", status);
        Assert.Contains("req_log1", status);
        var debug = string.Join("\n", log.DebugLines);
        Assert.Contains("Authorization: [redacted]", debug);
        Assert.Contains("Idempotency-Key: ", debug);
        Assert.Contains("Content-Type: application/json", debug);
        Assert.Contains("X-Request-Id: req_log1", debug, StringComparison.OrdinalIgnoreCase); // .NET writes it X-Request-ID
        Assert.DoesNotContain(Clients.Key, log.All);
        Assert.DoesNotContain("Bearer", log.All);
    }

    [Fact]
    public async Task The_key_never_reaches_the_log_or_the_message_of_a_failure()
    {
        await using var server = new RawHttpServer(CannedResponse.Problem(401,
            """{ "type": "https://docs.socialos.io/errors/unauthorized", "title": "Unauthorized", "status": 401, "detail": "The API key is not valid." }""",
            "WWW-Authenticate: Bearer", "X-Request-Id: req_401", "Set-Cookie: session=s3cr3t-cookie"));
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, log: log);

        var error = await Assert.ThrowsAsync<SocialOsException>(() => client.GetCurrencyAuditAsync("gifts_redeemed", "7d"));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains(log.VerboseLines, l => l.Contains("-> 401", StringComparison.Ordinal));
        Assert.Contains("Authorization: [redacted]", log.All);
        Assert.Contains("Set-Cookie: [redacted]", log.All);
        Assert.DoesNotContain("s3cr3t-cookie", log.All);
        Assert.DoesNotContain(Clients.Key, log.All);
        Assert.DoesNotContain(Clients.Key, error.ToString());
    }

    [Fact]
    public async Task A_refused_connection_is_logged_as_failed_without_the_key()
    {
        using var closed = new ClosedPort();
        var port = closed.Port;
        var log = new RecordingLog();
        using var client = Clients.Create(new Uri($"http://127.0.0.1:{port}/v2"), log: log);

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "a closed port");

        Assert.Equal(0, error.StatusCode);
        Assert.Contains(log.VerboseLines, l => l.StartsWith($"POST http://127.0.0.1:{port}/v2/gamification/gifts [gift 'Welcome Pack', key ", StringComparison.Ordinal)
            && l.Contains("] -> failed", StringComparison.Ordinal));
        Assert.DoesNotContain(Clients.Key, log.All);
        Assert.DoesNotContain(Clients.Key, error.ToString());
    }

    /// <summary>"One verbose line per attempt (request line, status, elapsed, request id)": an
    /// attempt that timed out must say so too, not leave a request line with no outcome.</summary>
    [Fact]
    public async Task A_timed_out_attempt_is_logged_as_failed_without_the_key()
    {
        await using var server = new RawHttpServer(CannedResponse.NoAnswer);
        var log = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, timeout: TimeSpan.FromSeconds(1), log: log);

        var error = await Bounded.Throws<SocialOsException>(() => client.CreateGiftAsync(AGift), Limit, "no answer");

        Assert.Equal(0, error.StatusCode);
        Assert.DoesNotContain(Clients.Key, log.All);
        Assert.DoesNotContain(Clients.Key, error.ToString());
        Assert.Contains(log.VerboseLines, l => l.StartsWith($"POST http://127.0.0.1:{server.Port}/v2/gamification/gifts [gift 'Welcome Pack', key ", StringComparison.Ordinal)
            && l.Contains("] -> ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_scope_takes_the_calls_made_inside_it()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Audit));
        var fallback = new RecordingLog();
        var scoped = new RecordingLog();
        using var client = Clients.Create(server.BaseUri, log: fallback);

        using (RequestLogScope.Begin(scoped))
        {
            await client.GetCurrencyAuditAsync("gifts_redeemed", "7d");
        }
        await client.GetCurrencyAuditAsync("gifts_redeemed", "24h");

        Assert.Single(scoped.VerboseLines, l => l.Contains("window=7d", StringComparison.Ordinal) && !l.Contains("->", StringComparison.Ordinal));
        Assert.DoesNotContain(scoped.VerboseLines, l => l.Contains("window=24h", StringComparison.Ordinal));
        Assert.Single(fallback.VerboseLines, l => l.Contains("window=24h", StringComparison.Ordinal) && !l.Contains("->", StringComparison.Ordinal));
        Assert.DoesNotContain(fallback.VerboseLines, l => l.Contains("window=7d", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_are_copied_when_the_client_is_built()
    {
        await using var server = new RawHttpServer(CannedResponse.Json(200, Examples.Gift));
        var options = Clients.Options(server.BaseUri);
        using var client = GiftStudio.Http.SocialOsHttp.CreateClient(options);

        options.BaseUri = new Uri("http://example.invalid/v2");
        options.ApiKey = null;
        var gift = await client.CreateGiftAsync(AGift);

        Assert.Equal("gift_w3lc", gift.GiftId);
        Assert.Equal($"Bearer {Clients.Key}", server.Single().Header("Authorization"));
        Assert.Equal(server.BaseUri.AbsoluteUri + "/", client.BaseUri.AbsoluteUri);
    }
}
