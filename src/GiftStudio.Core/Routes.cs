using System.Collections.Generic;
using System.Linq;

namespace GiftStudio;

/// <summary>The operations' routes, and whether each is one of the contract's extensions
/// (Part B) rather than the published guide's (Part A). Every path a typed call sends is
/// written from here.</summary>
internal static class Routes
{
    public static readonly Route CreateGift = new Route("POST", "gamification/gifts", extension: false);
    public static readonly Route UpdateScore = new Route("POST", "gamification/score", extension: false);
    public static readonly Route CurrencyAudit = new Route("GET", "analytics", extension: false, query: "type=currency", example: "/analytics?type=currency&metric=gifts_redeemed&window=7d");
    public static readonly Route ListGifts = new Route("GET", "gamification/gifts", extension: true);
    public static readonly Route GetGift = new Route("GET", "gamification/gifts/{gift_id}", extension: true);
    public static readonly Route GetScore = new Route("GET", "gamification/score/{userId}", extension: true, example: "/gamification/score/{userId}?metric=tier");
    public static readonly Route Leaderboard = new Route("GET", "analytics", extension: true, query: "type=leaderboard", example: "/analytics?type=leaderboard&metric=tier&limit=10");

    /// <summary>Every route the module knows, in the order completion offers them.</summary>
    public static readonly IReadOnlyList<Route> All = new[] { ListGifts, CreateGift, GetGift, UpdateScore, GetScore, CurrencyAudit, Leaderboard };
}

/// <summary>One route: its method, its path relative to the base URI (with at most one
/// {placeholder}) and the fixed part of its query.</summary>
internal sealed class Route
{
    private readonly string? _query;

    public Route(string method, string path, bool extension, string? query = null, string? example = null)
    {
        Method = method;
        Path = path;
        Extension = extension;
        _query = query;
        Name = $"{method} /{path}{(query == null ? "" : "?" + query)}";
        Example = example ?? "/" + path;
    }

    /// <summary>E.g. "GET /analytics?type=currency": how messages name the route.</summary>
    public string Name { get; }
    public string Method { get; }

    /// <summary>Relative to the base URI, e.g. "gamification/gifts/{gift_id}".</summary>
    public string Path { get; }
    public bool Extension { get; }

    /// <summary>The path as a user would type it, with the usual query.</summary>
    public string Example { get; }

    /// <summary>The path of one call: the placeholder filled with <paramref name="resource"/>,
    /// then the fixed query and the <paramref name="query"/> parameters whose value is not
    /// null, each escaped.</summary>
    public string For(string? resource = null, params (string Name, string? Value)[] query)
    {
        var path = Path;
        var open = path.IndexOf('{');
        if (open >= 0) path = path.Substring(0, open) + System.Uri.EscapeDataString(resource ?? "") + path.Substring(path.IndexOf('}') + 1);
        var parameters = (_query == null ? Enumerable.Empty<string>() : new[] { _query })
            .Concat(query.Where(p => p.Value != null).Select(p => p.Name + "=" + System.Uri.EscapeDataString(p.Value!)))
            .ToList();
        return parameters.Count == 0 ? path : path + "?" + string.Join("&", parameters);
    }
}
