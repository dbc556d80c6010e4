using System.Collections.Generic;
using Microsoft.AspNetCore.Http;

namespace GiftStudio.Sandbox.Http;

/// <summary>What the handlers learn about a request that its log line reports: the problem
/// type of an error reply, an idempotent replay, a dropped connection, ignored properties.</summary>
public sealed class RequestNotes
{
    private const string Item = "giftstudio.notes";

    public string RequestId { get; init; } = "";
    public string? TraceId { get; init; }
    public string? ProblemType { get; set; }
    public bool Replayed { get; set; }
    public bool Dropped { get; set; }
    public IReadOnlyList<string>? IgnoredProperties { get; set; }

    public static RequestNotes Of(HttpContext context)
    {
        if (context.Items[Item] is RequestNotes notes) return notes;
        notes = new RequestNotes { RequestId = context.TraceIdentifier };
        context.Items[Item] = notes;
        return notes;
    }

    public static void Attach(HttpContext context, RequestNotes notes) => context.Items[Item] = notes;
}
