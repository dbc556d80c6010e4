using System;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace GiftStudio.Sandbox.Tests;

public sealed class ProbeTmp(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe()
    {
        await using var server = await SandboxProcess.StartAsync();
        foreach (var size in new[] { 65537, 200 * 1024, 900 * 1024, 1100 * 1024, 2 * 1024 * 1024 })
        {
            int fails = 0, closes = 0;
            for (var i = 0; i < 10; i++)
            {
                using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server.BaseAddress };
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer K1");
                var content = new ByteArrayContent(new byte[size]);
                content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                using (var r = await client.PostAsync("/v2/gamification/gifts", content))
                {
                    if (r.Headers.ConnectionClose == true) closes++;
                }
                try { using var g = await client.GetAsync("/v2/gamification/gifts?limit=1"); }
                catch (HttpRequestException) { fails++; }
            }
            output.WriteLine($"{size}: {fails}/10 follow-up failures, {closes} connection-close");
        }
    }
}
