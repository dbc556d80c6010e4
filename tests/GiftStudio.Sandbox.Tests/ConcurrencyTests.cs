using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Parallel writers: no lost update, no 5xx, every change in the ledger once.</summary>
public sealed class ConcurrencyTests : IClassFixture<SharedInProcessSandbox>
{
    private readonly SharedInProcessSandbox _sandbox;

    public ConcurrencyTests(SharedInProcessSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Parallel_increments_of_one_user_are_all_counted()
    {
        const int tasks = 32, each = 50;
        var client = _sandbox.FreshTenant();
        var currents = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var answer = await client.ScoreAsync("hot", 1);
                Assert.True(answer.Status == 200, answer.ToString());
                Assert.Equal(answer.Json.Int("previous") + 1, answer.Json.Int("current"));
                currents.Add(answer.Json.Int("current"));
            }
        })));

        Assert.Equal(tasks * each, await client.CurrentScoreAsync("hot"));
        // Each update saw a distinct running total: 1, 2, ..., 1600.
        Assert.Equal(Enumerable.Range(1, tasks * each).Select(v => (long)v), currents.OrderBy(v => v));
        var ledger = (await client.CurrencyOkAsync("points_awarded")).GetProperty("summary");
        Assert.Equal(tasks * each, ledger.Int("total_gifts"));
        Assert.Equal(tasks * each, ledger.Int("total_value"));
    }

    [Fact]
    public async Task Parallel_gift_creations_are_all_listed_once()
    {
        var client = _sandbox.FreshTenant();
        var ids = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++) ids.Add(await client.NewGiftAsync(name: $"P{t}-{i}"));
        })));

        Assert.Equal(80, ids.Distinct(StringComparer.Ordinal).Count());
        var listed = (await client.ListAllGiftsAsync(7)).Select(g => g.Str("gift_id")!).ToList();
        Assert.Equal(80, listed.Count);
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), listed.OrderBy(i => i, StringComparer.Ordinal));
    }
}
