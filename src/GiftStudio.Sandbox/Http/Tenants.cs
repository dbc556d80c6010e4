using System;
using System.Collections.Generic;
using System.Linq;

namespace GiftStudio.Sandbox.Http;

/// <summary>One tenant per API key. <see cref="ShortName"/> (a prefix of the key's hash) is
/// what the log shows: enough to tell tenants apart, nothing about the key.</summary>
public sealed record Tenant(long Id, string Name)
{
    public string ShortName => Name[..8];
}

public sealed class Tenants
{
    private readonly ApiKeys _keys;
    private readonly Dictionary<string, Tenant> _byName;

    public Tenants(ApiKeys keys, IReadOnlyDictionary<string, long> ids)
    {
        _keys = keys;
        _byName = ids.ToDictionary(p => p.Key, p => new Tenant(p.Value, p.Key), StringComparer.Ordinal);
    }

    /// <summary>True when the text is one of the configured keys (the log redacts it).</summary>
    public bool IsKey(ReadOnlySpan<char> text) => _keys.TenantFor(text) is not null;

    public Tenant? Find(ReadOnlySpan<char> presentedKey) =>
        _keys.TenantFor(presentedKey) is { } name ? _byName[name] : null;
}
