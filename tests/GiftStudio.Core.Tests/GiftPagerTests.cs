using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The one cursor loop: a page is read only when asked for, from the cursor the
/// previous page gave, and the caller's token stops it.</summary>
public sealed class GiftPagerTests
{
    private readonly List<string?> _asked = new();

    /// <summary>Three pages: null → "c2" → "c3" → end.</summary>
    private Task<GiftPage> Fetch(string? cursor, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _asked.Add(cursor);
        var next = cursor switch { null => "c2", "c2" => "c3", _ => null };
        return Task.FromResult(new GiftPage(Array.Empty<SocialGift>(), next));
    }

    [Fact]
    public async Task ReadsEachPageOnlyWhenAsked()
    {
        var pages = new GiftPager(Fetch);
        Assert.Empty(_asked);
        await pages.NextAsync();
        Assert.Equal(new string?[] { null }, _asked);
        Assert.False(pages.Done);
        await pages.NextAsync();
        await pages.NextAsync();
        Assert.Equal(new string?[] { null, "c2", "c3" }, _asked);
        Assert.True(pages.Done);
        // The last page's cursor stays: reading on from it finds what was added since.
        Assert.Equal("c3", pages.Cursor);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pages.NextAsync());
    }

    [Fact]
    public async Task GoesOnFromAGivenCursor()
    {
        var pages = new GiftPager(Fetch, "c2");
        await pages.NextAsync();
        Assert.Equal(new string?[] { "c2" }, _asked);
    }

    [Fact]
    public async Task ACancelledTokenSendsNothing()
    {
        var pages = new GiftPager(Fetch);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pages.NextAsync(cancel.Token));
        Assert.Empty(_asked);
        Assert.False(pages.Done);
    }
}
