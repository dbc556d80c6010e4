namespace GiftStudio.Core.Tests;

/// <summary>The literal example bodies of Part A of /work/shared/docs/socialos-api-v2.md.</summary>
internal static class Examples
{
    public const string GiftRequest = """
        { "name": "Welcome Pack", "tier": "gold", "reward": 500, "badge": true,
          "expires": "2026-03-20T00:00:00Z" }
        """;

    public const string Gift = """
        { "gift_id": "gift_w3lc", "name": "Welcome Pack", "tier": "gold", "reward": 500,
          "badge_included": true, "expires": "2026-03-20T00:00:00Z",
          "created_at": "2026-02-20T14:00:00Z" }
        """;

    public const string ScoreRequest = """
        { "userId": "alice.kred", "metric": "tier", "action": "gift_redeemed", "value": 500 }
        """;

    public const string Score = """
        { "userId": "alice.kred", "metric": "tier", "previous": 200, "current": 700,
          "tier_name": "gold", "rank": 5, "updated_at": "2026-02-20T14:05:00Z" }
        """;

    public const string Audit = """
        { "type": "currency", "metric": "gifts_redeemed", "window": "7d",
          "summary": { "total_gifts": 142, "total_value": 28400,
                       "unique_recipients": 98, "top_tier": "gold" },
          "daily": [ { "date": "2026-02-20", "count": 23, "value": 4600 },
                     { "date": "2026-02-19", "count": 19, "value": 3800 } ] }
        """;

    public const string ValidationProblem = """
        { "type": "https://docs.socialos.io/errors/validation", "title": "Invalid request",
          "status": 400, "detail": "tier must be one of bronze, silver, gold, platinum",
          "errors": { "tier": ["must be one of bronze, silver, gold, platinum"] } }
        """;
}
