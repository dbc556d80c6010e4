using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace GiftStudio.Sandbox;

/// <summary>The configured API keys, held only as SHA-256 hashes. Each key is one tenant,
/// named in storage by the hex of its hash.</summary>
public sealed class ApiKeys
{
    private readonly byte[][] _hashes;

    public ApiKeys(IEnumerable<string> keys) => _hashes = keys.Select(Hash).ToArray();

    public IEnumerable<string> TenantNames => _hashes.Select(Convert.ToHexStringLower);

    /// <summary>The tenant for a presented key, or null. Compares against every stored hash in
    /// constant time, so timing reveals neither the key nor which tenant matched.</summary>
    public string? TenantFor(ReadOnlySpan<char> presentedKey)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(presentedKey.Length, 1024))];
        if (presentedKey.Length > 1024) return null;
        var length = Encoding.UTF8.GetBytes(presentedKey, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        utf8.Clear();
        byte[]? match = null;
        foreach (var candidate in _hashes)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, hash)) match = candidate;
        }
        return match is null ? null : Convert.ToHexStringLower(match);
    }

    /// <summary>A key for a run without --api-key: 24 random bytes (192 bits) as 32 base64url
    /// characters, random from the first one, the same form Start-SocialSandbox generates
    /// (a test checks that the two agree).</summary>
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(24));

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
