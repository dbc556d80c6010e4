using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;

namespace GiftStudio.PowerShell;

/// <summary>Tab completion from a fixed list (tiers, metrics, actions, common windows).</summary>
public abstract class FixedValuesCompleter : IArgumentCompleter
{
    private readonly string[] _values;

    protected FixedValuesCompleter(params string[] values) => _values = values;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Offer(_values, wordToComplete);

    /// <summary>The values that start with what is typed (quotes aside), in their order.</summary>
    internal static IEnumerable<CompletionResult> Offer(IEnumerable<string> values, string? wordToComplete)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return values.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v)).ToList();
    }
}

public sealed class TierCompleter : FixedValuesCompleter
{
    public TierCompleter() : base(StrictInput.Tiers) { }
}

public sealed class MetricCompleter : FixedValuesCompleter
{
    public MetricCompleter() : base(StrictInput.Metrics) { }
}

public sealed class ActionCompleter : FixedValuesCompleter
{
    public ActionCompleter() : base(StrictInput.Actions) { }
}

public sealed class WindowCompleter : FixedValuesCompleter
{
    public WindowCompleter() : base("24h", "7d", "30d", "90d", "365d") { }
}

/// <summary>Gift ids for Tab: the gifts whose id or name starts with what is typed (or
/// matches it, with wildcards), active ones first, newest first. The list route sorts oldest
/// first and has no order or name parameter, so the completer reads as many pages as its
/// time limit allows and filters here. What it has read is kept per connection for a short
/// while, and the next Tab goes on from the last page read (new gifts come last), so even a
/// long list is complete after a few presses and a gift made a minute ago is found.</summary>
public class GiftIdCompleter : IArgumentCompleter
{
    /// <summary>The most one Tab may spend asking the server.</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How long what was read serves further Tabs without asking again.</summary>
    public static TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gifts per request: the most the list route allows, so few requests fit the limit.</summary>
    public static int PageSize { get; set; } = StrictInput.MaxLimit;

    private static readonly ConditionalWeakTable<SocialOSConnection, GiftCache> AllGifts = new ConditionalWeakTable<SocialOSConnection, GiftCache>();
    private static readonly ConditionalWeakTable<SocialOSConnection, GiftCache> ActiveGifts = new ConditionalWeakTable<SocialOSConnection, GiftCache>();

    /// <summary>Whether expired gifts are offered (not where only a live gift makes sense).
    /// Without them, the server's own filter (active=true, by the server's clock) decides.</summary>
    protected virtual bool OffersExpired => true;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var connection = ConnectionResolver.Find(
                PSValue.Unwrap(fakeBoundParameters?["Connection"]) as SocialOSConnection);
            if (connection == null) return Array.Empty<CompletionResult>();
            var cache = OffersExpired ? AllGifts.GetValue(connection, _ => new GiftCache(null)) : ActiveGifts.GetValue(connection, _ => new GiftCache(true));
            var gifts = cache.Read(connection.QuickClient, Timeout, CacheLifetime);
            var now = DateTimeOffset.UtcNow;
            var typed = (wordToComplete ?? "").Trim('\'', '"');
            return KeepingWhatWasTyped(wordToComplete ?? "", Matching(gifts, typed)
                .Select(g => (Gift: g, Active: !OffersExpired || g.Expires == null || g.Expires > now))
                .OrderByDescending(g => g.Active).ThenByDescending(g => g.Gift.CreatedAt).ThenByDescending(g => cache.Order(g.Gift))
                .Select(g => new CompletionResult(g.Gift.GiftId, $"{g.Gift.GiftId}  {g.Gift.Name}{(g.Active ? "" : "  (expired)")}",
                    CompletionResultType.ParameterValue,
                    $"{g.Gift.Name} ({g.Gift.Tier}, {g.Gift.Reward} points, {(g.Gift.Expires is DateTimeOffset e ? (g.Active ? "expires " : "expired ") + e.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z" : "never expires")})"))
                .ToList());
        }
        catch (Exception)
        {
            // Completion must never fail the prompt: no suggestions is the answer.
            return Array.Empty<CompletionResult>();
        }
    }

    /// <summary>When several gifts match by name, their ids share only "gift_", and a
    /// line editor that completes to the common prefix (PSReadLine's Complete, the Emacs
    /// mode's Tab) would replace the typed name with it. The typed text, offered last, leaves
    /// no common prefix: the typed word stays and the list shows; cycling (Windows mode) comes
    /// back to it after the last gift.</summary>
    internal static List<CompletionResult> KeepingWhatWasTyped(string wordToComplete, List<CompletionResult> results)
    {
        var typed = wordToComplete.Trim('\'', '"');
        if (results.Count < 2 || typed.Length == 0 || results.All(r => r.CompletionText.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            return results;
        results.Add(new CompletionResult(wordToComplete, $"{typed}…  (as typed: {results.Count} gifts match)", CompletionResultType.ParameterValue,
            $"Keep '{typed}' as typed; the gifts above match it by name. Pick one, or type more of the name."));
        return results;
    }

    /// <summary>Gifts whose id or name starts with the typed text (any case), or matches it
    /// when it holds wildcards.</summary>
    internal static IEnumerable<SocialGift> Matching(IEnumerable<SocialGift> gifts, string typed)
    {
        if (typed.Length == 0) return gifts;
        if (WildcardPattern.ContainsWildcardCharacters(typed))
        {
            var pattern = new WildcardPattern(typed, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            return gifts.Where(g => pattern.IsMatch(g.GiftId) || pattern.IsMatch(g.Name));
        }
        return gifts.Where(g => g.GiftId.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || g.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The gifts read so far from one connection, and where to go on reading.</summary>
    private sealed class GiftCache
    {
        private readonly object _gate = new object();
        private readonly bool? _active;
        private readonly Dictionary<string, SocialGift> _gifts = new Dictionary<string, SocialGift>(StringComparer.Ordinal);
        // The list's own order (creation order): it breaks ties of CreatedAt.
        private readonly Dictionary<string, long> _order = new Dictionary<string, long>(StringComparer.Ordinal);
        private string? _resumeCursor;      // the cursor of the last page read (null: the first page)
        private bool _complete;             // read to the end at _readAt
        private DateTime _readAt = DateTime.MinValue;

        private static readonly TimeSpan FullRereadAfter = TimeSpan.FromMinutes(1);

        public GiftCache(bool? active) => _active = active;

        public long Order(SocialGift gift)
        {
            lock (_gate) return _order.TryGetValue(gift.GiftId, out var order) ? order : -1;
        }

        public List<SocialGift> Read(SocialOsClient client, TimeSpan timeout, TimeSpan lifetime)
        {
            lock (_gate)
            {
                if (_complete && DateTime.UtcNow - _readAt > FullRereadAfter)
                {
                    // Now and then from the start, so gifts that expired or went away drop out.
                    _gifts.Clear();
                    _order.Clear();
                    _resumeCursor = null;
                    _complete = false;
                }
                if (!(_complete && DateTime.UtcNow - _readAt < lifetime)) ReadPages(client, timeout);
                return _gifts.Values.ToList();
            }
        }

        /// <summary>Reads from the last page read on, page after page, until the end or the
        /// time limit; an unfinished request is abandoned and what was read is kept.</summary>
        private void ReadPages(SocialOsClient client, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            var deadline = DateTime.UtcNow + timeout;
            _complete = false;
            // From the last page read: gifts made later come after it.
            var pages = client.ListGiftPages(active: _active, limit: PageSize, cursor: _resumeCursor);
            while (!_complete)
            {
                var page = pages.NextAsync(cancel.Token);
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !page.Wait(left)) return;
                foreach (var gift in page.Result.Gifts)
                {
                    _gifts[gift.GiftId] = gift;
                    if (!_order.ContainsKey(gift.GiftId)) _order[gift.GiftId] = _order.Count;
                }
                _readAt = DateTime.UtcNow;
                _resumeCursor = pages.Cursor;
                _complete = pages.Done;
            }
        }
    }
}

/// <summary>Gift ids that can still be redeemed (Set-SocialTierScore -GiftId): expired gifts
/// are not offered, since the server refuses them.</summary>
public sealed class ActiveGiftIdCompleter : GiftIdCompleter
{
    protected override bool OffersExpired => false;
}

/// <summary>-Path of Invoke-SocialOSRequest: the routes the module knows, only those of
/// the -Method given (all when none), quoted since they hold '?', '&amp;' and braces.</summary>
public sealed class RouteCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var bound = fakeBoundParameters?["Method"];
        var method = PSValue.Unwrap(bound)?.ToString()?.ToUpperInvariant();
        var prefix = (wordToComplete ?? "").Trim('\'', '"').TrimStart('/');
        return RequestRules.KnownRoutes
            .Where(r => method == null || r.Key == method)
            .GroupBy(r => r.Value, StringComparer.Ordinal)
            .Where(g => g.Key.TrimStart('/').StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(g => new CompletionResult("'" + g.Key + "'", g.Key, CompletionResultType.ParameterValue,
                string.Join(", ", g.Select(r => r.Key)) + " " + g.Key))
            .ToList();
    }
}

/// <summary>-Month: this month and the 11 before it (by this machine's UTC day), newest first.</summary>
public sealed class MonthCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        FixedValuesCompleter.Offer(Reports.CurrencyPeriod.RecentMonths(DateTime.UtcNow.Date), wordToComplete);
}

/// <summary>-Quarter: this quarter and the 3 before it, newest first.</summary>
public sealed class QuarterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        FixedValuesCompleter.Offer(Reports.CurrencyPeriod.RecentQuarters(DateTime.UtcNow.Date), wordToComplete);
}
