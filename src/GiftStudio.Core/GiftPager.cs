using System;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio;

/// <summary>The gift list (GET /gamification/gifts), page after page: the one cursor loop.
/// Lazy, like Azure.Core's Pageable: a page is asked for only when <see cref="NextAsync"/> is
/// called, so a consumer that stops (-First satisfied, a time limit, Ctrl+C) sends nothing
/// more; its token reaches the request. Not thread-safe: one consumer at a time.</summary>
public sealed class GiftPager
{
    private readonly Func<string?, CancellationToken, Task<GiftPage>> _fetch;

    /// <param name="fetch">Reads the page at a cursor (null: the first page).</param>
    /// <param name="cursor">Where to start: null for the first page, or a page's cursor to read it again and go on.</param>
    public GiftPager(Func<string?, CancellationToken, Task<GiftPage>> fetch, string? cursor = null)
    {
        _fetch = fetch ?? throw new ArgumentNullException(nameof(fetch));
        Cursor = cursor;
    }

    /// <summary>The cursor of the page the next <see cref="NextAsync"/> reads, or once
    /// <see cref="Done"/>, of the last page read (new gifts come after it).</summary>
    public string? Cursor { get; private set; }

    /// <summary>The last page has been read.</summary>
    public bool Done { get; private set; }

    /// <summary>Reads the next page.</summary>
    public async Task<GiftPage> NextAsync(CancellationToken cancellationToken = default)
    {
        if (Done) throw new InvalidOperationException("The gift list has been read to its end.");
        cancellationToken.ThrowIfCancellationRequested();
        var page = await _fetch(Cursor, cancellationToken).ConfigureAwait(false);
        if (page.NextCursor == null) Done = true;
        else Cursor = page.NextCursor;
        return page;
    }
}
