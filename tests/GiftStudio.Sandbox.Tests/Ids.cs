using System;

namespace GiftStudio.Sandbox.Tests;

/// <summary>Unique, valid user ids, so tests on a shared server never meet.</summary>
public static class Ids
{
    private static int _counter;

    public static string User(string prefix = "u") =>
        $"{prefix}-{System.Threading.Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..8]}";

    public static string Key(string prefix = "idem") => $"{prefix}-{Guid.NewGuid():N}";
}
