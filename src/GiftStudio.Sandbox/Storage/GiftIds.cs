using System;
using System.Globalization;

namespace GiftStudio.Sandbox.Storage;

/// <summary>Gift ids: gift_ and 12 URL-safe letters and digits, drawn by the given source
/// (crypto-random for the API, seeded for --seed).</summary>
public static class GiftIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string New(Func<int, int> nextBelow)
    {
        Span<char> id = stackalloc char[12];
        for (var i = 0; i < id.Length; i++) id[i] = Alphabet[nextBelow(Alphabet.Length)];
        return "gift_" + new string(id);
    }
}

/// <summary>Opaque paging cursors: "c1." and the base64url of the last row's sequence number.</summary>
public static class GiftCursor
{
    public static string Encode(long lastId) =>
        "c1." + ApiKeys.Base64Url(System.Text.Encoding.ASCII.GetBytes(lastId.ToString(CultureInfo.InvariantCulture)));

    public static long Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return 0;
        const string rule = "must be a next_cursor value returned by this route";
        if (!cursor.StartsWith("c1.", StringComparison.Ordinal) || cursor.Length > 40) throw ApiProblem.Validation("cursor", rule);
        try
        {
            var b64 = cursor[3..].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var text = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(b64));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        }
        catch (FormatException) { }
        throw ApiProblem.Validation("cursor", rule);
    }
}
