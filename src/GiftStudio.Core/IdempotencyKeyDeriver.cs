using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace GiftStudio;

/// <summary>Keys for a run that may be restarted from the top (a runbook host suspends and
/// restarts jobs): each item gets <c>prefix:route:hash:n</c>, from a prefix the runbook
/// chooses, the route, a hash of the body exactly as sent, and n, the occurrence of that
/// same body within this run (so two identical +10 rows for one user are two keys, and
/// rows added, removed or re-sorted elsewhere do not shift anyone's key). The same prefix
/// over the same input gives the same keys: rows applied before replay, the rest apply.
/// One instance per run (pipeline); not thread-safe, called on the pipeline thread.</summary>
public sealed class IdempotencyKeyDeriver
{
    /// <summary>Room for the route, hash and count within the contract's 255 characters.</summary>
    public const int MaxPrefixLength = 160;

    private readonly Dictionary<string, int> _occurrences = new Dictionary<string, int>(StringComparer.Ordinal);

    public IdempotencyKeyDeriver(string prefix)
    {
        Prefix = CheckPrefix(prefix);
    }

    public string Prefix { get; }

    /// <summary>The key for the next item with this route and body.</summary>
    public string Next(string route, byte[] body)
    {
        var hash = Hash(route, body);
        _occurrences.TryGetValue(hash, out var seen);
        _occurrences[hash] = ++seen;
        return $"{Prefix}:{RouteName(route)}:{hash}:{seen}";
    }

    /// <summary>Null when the prefix can be used, else why not.</summary>
    public static string? Problem(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix)) return "it is empty";
        if (prefix!.Length > MaxPrefixLength) return $"it has {prefix.Length} characters (at most {MaxPrefixLength}, so that the derived keys stay within 255)";
        foreach (var c in prefix)
            if (c < '!' || c > '~') return $"it contains {(c == ' ' ? "a space" : $"the character U+{(int)c:X4}")} (printable ASCII without spaces only)";
        return null;
    }

    private static string CheckPrefix(string prefix)
    {
        var problem = Problem(prefix);
        if (problem != null)
            throw new SocialOsInputException(ErrorIds.InvalidIdempotencyKeyPrefix, "IdempotencyKeyPrefix", prefix,
                $"IdempotencyKeyPrefix '{prefix}' cannot be used: {problem}. Use something like a job id or 'redemptions-2026-11-29'.");
        return prefix;
    }

    /// <summary>"gamification/score" becomes "score": short, readable, still distinct per route.</summary>
    private static string RouteName(string route)
    {
        var path = route.Split('?')[0].Trim('/');
        var last = path.LastIndexOf('/');
        var name = last < 0 ? path : path.Substring(last + 1);
        return name.Length == 0 ? "root" : name.Length > 24 ? name.Substring(0, 24) : name;
    }

    /// <summary>22 URL-safe characters of SHA-256 over the route and the body bytes (132 bits).</summary>
    private static string Hash(string route, byte[] body)
    {
        using (var sha = SHA256.Create())
        {
            var routeBytes = Encoding.UTF8.GetBytes(route.Trim('/') + "\n");
            sha.TransformBlock(routeBytes, 0, routeBytes.Length, null, 0);
            sha.TransformFinalBlock(body, 0, body.Length);
            return Convert.ToBase64String(sha.Hash).Substring(0, 22).Replace('+', '-').Replace('/', '_');
        }
    }
}
