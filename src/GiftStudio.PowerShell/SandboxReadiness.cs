using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell;

/// <summary>What the server's ready file says (--ready-file, written by the sandbox's
/// StartFiles once it listens, after every start line and warning): the launcher reads the
/// addresses, the data summary and the warnings there, never from console lines.</summary>
internal sealed class ReadyFile
{
    private ReadyFile(Uri baseUri, Uri apiUri, string? dataSummary, string[] warnings)
    {
        BaseUri = baseUri;
        ApiUri = apiUri;
        DataSummary = dataSummary;
        Warnings = warnings;
    }

    /// <summary>The server's root (where /health is), e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseUri { get; }

    /// <summary>The API root, BaseUri + /v2.</summary>
    public Uri ApiUri { get; }

    /// <summary>What the data file holds, in words (its start line).</summary>
    public string? DataSummary { get; }

    public string[] Warnings { get; }

    /// <exception cref="SandboxException">Not the file a sandbox writes.</exception>
    public static ReadyFile Parse(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var summary = root.TryGetProperty("data", out var data) && data.TryGetProperty("summary", out var text) ? text.GetString() : null;
            var warnings = root.TryGetProperty("warnings", out var list) ? list.EnumerateArray().Select(w => w.GetString() ?? "").ToArray() : new string[0];
            return new ReadyFile(new Uri(root.GetProperty("base_uri").GetString()!), new Uri(root.GetProperty("api_uri").GetString()!), summary, warnings);
        }
        catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is UriFormatException || e is ArgumentNullException)
        {
            throw new SandboxException(ErrorIds.SandboxStartFailed, $"The sandbox's ready file {path} is not what this module reads ({e.Message}): is the sandbox in the module folder from another version? Reinstall GiftStudio.");
        }
    }
}

/// <summary>Waits for a starting sandbox: its ready file, then a healthy /health. A server that
/// exits first failed to start, and says why on its standard error.</summary>
internal static class SandboxReadiness
{
    public static ReadyFile WaitUntilReady(DetachedProcess server, string readyPath, TimeSpan timeout, string logPath, CancellationToken cancellationToken)
    {
        var ready = WaitForReadyFile(server, readyPath, timeout, logPath, cancellationToken);
        WaitForHealth(new Uri(ready.BaseUri, "health"), timeout, cancellationToken);
        return ready;
    }

    /// <summary>Written aside and renamed by the server, so whole once it exists.</summary>
    private static ReadyFile WaitForReadyFile(DetachedProcess server, string path, TimeSpan timeout, string logPath, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (server.Exited.IsCompleted)
            {
                // Its last stderr lines may still be on their way: wait for the stream's end.
                server.WaitForExit();
                throw new SandboxException(ErrorIds.SandboxStartFailed, StartFailure(server));
            }
            if (DateTime.UtcNow > deadline)
                throw new SandboxException(ErrorIds.SandboxStartFailed, $"The sandbox did not report that it listens within {timeout.TotalSeconds:0} s; see {logPath}.");
            Task.WaitAny(new[] { server.Exited }, 50, cancellationToken);
        }
        return ReadyFile.Parse(File.ReadAllText(path), path);
    }

    private static void WaitForHealth(Uri health, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var response = http.GetAsync(health, cancellationToken).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (DateTime.UtcNow > deadline)
                throw new SandboxException(ErrorIds.SandboxStartFailed, $"The sandbox at {health.GetLeftPart(UriPartial.Authority)} did not become healthy within {timeout.TotalSeconds:0} s.");
            cancellationToken.WaitHandle.WaitOne(100);
        }
    }

    private static string StartFailure(DetachedProcess server)
    {
        var stderr = server.Errors;
        if (stderr.IndexOf("Microsoft.AspNetCore.App", StringComparison.Ordinal) >= 0 || stderr.IndexOf("install or update .NET", StringComparison.OrdinalIgnoreCase) >= 0)
            return $"The sandbox needs the ASP.NET Core Runtime 10, which this machine lacks. Install it from https://dot.net (or 'dotnet-install --runtime aspnetcore --channel 10.0'). The runtime said: {stderr}";
        return $"The sandbox exited during startup (exit code {server.ExitCode ?? -1}): {(stderr.Length > 0 ? stderr : "no message")}";
    }
}
