using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>--log-format json and --log-file: a log a runbook can be debugged with.</summary>
public sealed class LogTests
{
    private const string SecretKey = "sk_log_test_9f8e7d6c5b4a";
    private const string BodyMarker = "BodyMarkerNeverLogged";
    private static List<JsonElement> ReadJsonLines(string path)
    {
        var entries = new List<JsonElement>();
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            entries.Add(document.RootElement.Clone());
        }
        return entries;
    }

    private static JsonElement RequestLine(List<JsonElement> entries, string requestId) =>
        Assert.Single(entries, e => e.GetProperty("category").GetString() == "GiftStudio.Sandbox.Requests" && e.GetProperty("request_id").GetString() == requestId);

    private static HttpRequestMessage Get(string path, string? requestId = null, string? traceparent = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (requestId is not null) request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        if (traceparent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        return request;
    }

    private static HttpRequestMessage Post(string path, string json, string requestId, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task Json_log_lines_carry_query_problem_type_replay_clock_and_client_ids_and_end_with_the_counts()
    {
        using var data = new TempData();
        using var log = new TempData(".log");
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var began = DateTimeOffset.UtcNow;
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            DataPath = data.Path,
            Keys = new[] { SecretKey },
            Now = "2026-02-20T14:00:00Z",
            ExtraArgs = new[] { "--log-format", "json", "--log-file", log.Path },
        });
        var client = server.Client(SecretKey);

        var listed = await client.ExchangeAsync(Get($"{SandboxCalls.Gifts}?limit=5&api_key={SecretKey}", "runbook-7.step:3", traceparent));
        Assert.Equal("runbook-7.step:3", listed.RequestId);
        Assert.Equal(traceparent, listed.Header("traceparent"));
        var refused = await client.ExchangeAsync(Post(SandboxCalls.Gifts, SandboxCalls.GiftBody(BodyMarker, "diamond"), "refused-1"));
        refused.Is(400);
        var key = Ids.Key();
        (await client.ExchangeAsync(Post(SandboxCalls.Score, SandboxCalls.ScoreBody("logged", 3), "score-1", key))).IsOk();
        var replay = await client.ExchangeAsync(Post(SandboxCalls.Score, SandboxCalls.ScoreBody("logged", 3), "score-2", key));
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        var badId = await client.ExchangeAsync(Get(SandboxCalls.Gifts, "has spaces and (parens)", "00-00000000000000000000000000000000-b7ad6b7169203331-01"));
        Assert.StartsWith("req_", badId.RequestId, StringComparison.Ordinal);
        Assert.Null(badId.Header("traceparent"));
        (await client.ExchangeAsync(Get("/v2/nowhere", "missing-1"))).Is(404);

        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
        Assert.Equal(0, server.ExitCode);

        var text = await File.ReadAllTextAsync(log.Path);
        Assert.DoesNotContain(SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(BodyMarker, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, string.Join("\n", server.StdoutLines), StringComparison.Ordinal);
        var entries = ReadJsonLines(log.Path);
        foreach (var entry in entries)
        {
            Assert.True(Shape.IsTimestamp(entry.GetProperty("time")), entry.GetRawText());
            Assert.True(Shape.IsTimestamp(entry.GetProperty("clock")), entry.GetRawText());
            Assert.StartsWith("2026-02-20T14:", entry.GetProperty("clock").GetString(), StringComparison.Ordinal);
        }
        // The wall time beside the --now clock: within this test's own run (ordering, not speed).
        var finished = DateTimeOffset.UtcNow;
        foreach (var entry in entries)
        {
            var wall = Shape.Instant(entry.GetProperty("time"));
            Assert.True(wall >= began.AddSeconds(-1) && wall <= finished.AddSeconds(1), entry.GetRawText());
        }
        // The console carries the same JSON lines.
        Assert.Contains(server.StdoutLines, l => l.StartsWith("{", StringComparison.Ordinal) && l.Contains("\"request_id\":\"runbook-7.step:3\"", StringComparison.Ordinal));

        var list = RequestLine(entries, "runbook-7.step:3");
        Assert.Equal("GET", list.Str("method"));
        Assert.Equal(SandboxCalls.Gifts, list.Str("path"));
        Assert.Equal("?limit=5&api_key=REDACTED", list.Str("query"));
        Assert.Equal(200, list.Int("status"));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", list.Str("trace_id"));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("problem_type").ValueKind);
        Assert.False(list.GetProperty("replayed").GetBoolean());

        var bad = RequestLine(entries, "refused-1");
        Assert.Equal(400, bad.Int("status"));
        Assert.Equal(Problem.TypeBase + "validation", bad.Str("problem_type"));
        Assert.Equal(Problem.TypeBase + "not-found", RequestLine(entries, "missing-1").Str("problem_type"));

        Assert.False(RequestLine(entries, "score-1").GetProperty("replayed").GetBoolean());
        Assert.True(RequestLine(entries, "score-2").GetProperty("replayed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, RequestLine(entries, badId.RequestId).GetProperty("trace_id").ValueKind);

        var stop = Assert.Single(entries, e => e.TryGetProperty("event", out var ev) && ev.GetString() == "stop");
        Assert.Equal(entries.Count(e => e.GetProperty("category").GetString() == "GiftStudio.Sandbox.Requests"), stop.Int("requests"));
        Assert.Equal(2, stop.Int("client_errors"));
        Assert.Equal(1, stop.Int("replayed"));
        Assert.Equal(0, stop.Int("dropped"));
        Assert.Equal("stop", entries[^1].Str("event"));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task A_key_planted_anywhere_a_client_can_put_it_never_reaches_either_log_format(string format)
    {
        // One key that is a well-formed request id, one whose URL-encoded form differs from it.
        const string plain = "sk_live.Plant3d-Key_42";
        const string special = "sk/Plant+ed=Key%42";
        using var data = new TempData();
        using var log = new TempData(".log");
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            DataPath = data.Path,
            Keys = new[] { plain, special },
            ExtraArgs = new[] { "--log-format", format, "--log-file", log.Path },
        });
        var client = server.Client(plain);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(plain));
        var specialBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(special));

        var asId = await client.ExchangeAsync(Get(SandboxCalls.Gifts, requestId: plain));
        Assert.NotEqual(plain, asId.RequestId);
        await client.ExchangeAsync(Get($"{SandboxCalls.Score}/{plain}"));
        await client.ExchangeAsync(Get($"{SandboxCalls.Score}/{Uri.EscapeDataString(special)}"));
        await client.ExchangeAsync(Get($"{SandboxCalls.Gifts}?q=Bearer%20{plain}&b={Uri.EscapeDataString(specialBase64)}&c={base64}"));
        await client.ExchangeAsync(Get($"/nowhere/{base64}/{Uri.EscapeDataString(special).ToLowerInvariant()}"));
        await client.ExchangeAsync(Post(SandboxCalls.Score, $"{{\"userId\":\"planted\",\"metric\":\"tier\",\"action\":\"adjustment\",\"value\":1,\"{plain}\":1,\"{special}\":2}}", "ignored-1"));
        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());

        var logged = await File.ReadAllTextAsync(log.Path) + "\n" + string.Join("\n", server.StdoutLines);
        Assert.Contains("ignored-1", logged, StringComparison.Ordinal);
        Assert.Contains("REDACTED", logged, StringComparison.Ordinal);
        foreach (var form in new[] { plain, special, Uri.EscapeDataString(special), base64.TrimEnd('='), specialBase64.TrimEnd('=') })
            Assert.False(logged.Contains(form, StringComparison.OrdinalIgnoreCase), $"'{form}' is in the {format} log:\n{logged}");
    }

    [Fact]
    public async Task A_dropped_connection_is_logged_as_dropped_and_the_fault_names_its_request_id()
    {
        using var data = new TempData();
        using var log = new TempData(".log");
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            DataPath = data.Path,
            ExtraArgs = new[] { "--faults", "seed=3,drop=1,only=POST", "--log-file", log.Path },
        });
        await server.WaitForStdoutAsync(l => l == "Fault injection ON: connection dropped after the commit for 100% of POSTs; seed 3.");
        using var client = server.NewClient("K1");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.SendAsync(Post(SandboxCalls.Score, SandboxCalls.ScoreBody("dropped", 4), "drop-me-1")));
        Assert.Equal(4, await server.Client("K1").CurrentScoreAsync("dropped"));
        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());

        var lines = await File.ReadAllLinesAsync(log.Path);
        var request = Assert.Single(lines, l => l.Contains("GiftStudio.Sandbox.Requests", StringComparison.Ordinal) && l.Contains("drop-me-1", StringComparison.Ordinal));
        Assert.Contains($"POST {SandboxCalls.Score} dropped (answer 200 not sent)", request, StringComparison.Ordinal);
        var fault = Assert.Single(lines, l => l.Contains("GiftStudio.Sandbox.Faults", StringComparison.Ordinal));
        Assert.Contains("drop-me-1", fault, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("dropped 1, replayed 0.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unwritable_log_file_is_an_argument_error()
    {
        using var file = new TempData(".txt");
        await File.WriteAllTextAsync(file.Path, "a file, so no folder can be made under it");
        await using var process = SandboxProcess.Launch(new[] { "--api-key", "K1", "--log-file", Path.Combine(file.Path, "sandbox.log"), "--data", Path.Combine(TempData.Folder, "unused.db") });

        Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), process.Describe());
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--log-file", Assert.Single(process.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_json_log_format_every_line_on_standard_output_is_json_start_lines_included()
    {
        using var data = new TempData();
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            DataPath = data.Path,
            Now = "2026-02-20T14:00:00Z",
            ExtraArgs = new[] { "--log-format", "json", "--strict-properties" },
        });
        (await server.Client("K1").FetchAsync(SandboxCalls.Gifts)).IsOk();
        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());

        var lines = server.StdoutLines.Where(l => l.Length > 0).ToList();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
        var listening = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("listening", listening.Str("event"));
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), listening.Str("url"));
        Assert.Contains(lines, l => l.Contains("\"event\":\"data\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"event\":\"stop\"", StringComparison.Ordinal));
    }

    /// <summary>Sends raw bytes on a socket of its own and returns the status line's code.</summary>
    private static async Task<int> RawStatusAsync(Uri server, string request)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(server.Host, server.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task What_Kestrel_refuses_itself_is_logged_with_its_status_and_reason_and_405_keeps_its_problem_body(string format)
    {
        using var data = new TempData();
        using var log = new TempData(".log");
        await using var server = await SandboxProcess.StartAsync(new SandboxStart
        {
            DataPath = data.Path,
            ExtraArgs = new[] { "--log-format", format, "--log-file", log.Path },
        });

        Assert.Equal(431, await RawStatusAsync(server.BaseAddress, $"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {new string('h', 40 * 1024)}\r\n\r\n"));
        Assert.Equal(414, await RawStatusAsync(server.BaseAddress, $"GET /{new string('p', 9 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.Equal(400, await RawStatusAsync(server.BaseAddress, "NOT A REQUEST LINE\r\n\r\n"));
        // Anything that reaches the application keeps the contract: a problem body and a request id.
        var notAllowed = await server.Anonymous.ExchangeAsync(new HttpRequestMessage(HttpMethod.Delete, "/health"));
        notAllowed.Is(405, "method-not-allowed");
        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());

        var refusals = (await File.ReadAllLinesAsync(log.Path)).Where(l => l.Contains("refused by Kestrel", StringComparison.Ordinal)).ToList();
        foreach (var status in new[] { "431", "414", "400" })
            Assert.True(refusals.Count(l => l.Contains($"Kestrel before the application: {status} ", StringComparison.Ordinal)) == 1, $"{status}:\n{string.Join("\n", refusals)}");
        if (format == "json")
        {
            var entries = ReadJsonLines(log.Path).Where(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "kestrel-refused").ToList();
            Assert.Equal(new long[] { 400, 414, 431 }, entries.Select(e => e.Int("status")).Order());
            Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Str("reason"))));
        }
    }
}
