using System;
using System.Management.Automation;

namespace GiftStudio.PowerShell.Commands;

/// <summary>Get-SocialGift: gifts by id, or the list, streamed page by page.</summary>
[Cmdlet(VerbsCommon.Get, "SocialGift", DefaultParameterSetName = ListSet, SupportsPaging = true)]
[OutputType(typeof(SocialGift))]
public sealed class GetSocialGiftCommand : SocialCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";

    /// <summary>One or more gift ids; also from the pipeline, as strings ('gift_x' | Get-SocialGift)
    /// or by property name (gifts, CSV rows with a GiftId column).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(GiftIdCompleter))]
    public string[] GiftId { get; set; } = Array.Empty<string>();

    /// <summary>Only gifts whose name matches this pattern (PowerShell wildcards, any case),
    /// e.g. 'Welc*'. The list route has no name filter: the gifts are filtered as they stream in.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>Only gifts of this tier.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ArgumentCompleter(typeof(TierCompleter))]
    public string? Tier { get; set; }

    /// <summary>Only gifts that have not expired.</summary>
    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter Active { get; set; }

    /// <summary>Gifts per request (1-1000, default 100).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, StrictInput.MaxLimit)]
    public int PageSize { get; set; } = 100;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            WriteEach(GiftId, "GiftId", (client, id, cancel) => client.GetGiftAsync(id, cancel));
            return;
        }

        try
        {
            var tier = Tier == null ? null : StrictInput.Tier(Tier);
            WriteList(tier);
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            WriteFailure(error, Tier);
        }
    }

    /// <summary>Writes each page's gifts as they arrive: the next page is requested only once
    /// this one is written, and not at all when -First is satisfied or the pipeline stops.</summary>
    private void WriteList(string? tier)
    {
        var toSkip = PagingParameters.Skip;
        var toWrite = PagingParameters.First;
        ulong seen = 0;
        var name = Name == null ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        if (toWrite == 0) { WriteTotal(0, false); return; }
        // A small -First asks for a small page, unless a name filter may skip some of it.
        var pageSize = toWrite < (ulong)PageSize && toSkip == 0 && name == null ? (int)toWrite : PageSize;
        foreach (var page in PagesOf(client => client.ListGiftPages(tier, Active ? true : (bool?)null, pageSize)))
        {
            foreach (var gift in page.Gifts)
            {
                if (name != null && !name.IsMatch(gift.Name)) continue;
                seen++;
                if (toSkip > 0) { toSkip--; continue; }
                WriteObject(gift);
                ReportProgress("Reading gifts");
                if (--toWrite == 0) { WriteTotal(seen, page.NextCursor != null); return; }
            }
        }
        WriteTotal(seen, false);
    }

    private void WriteTotal(ulong seen, bool more)
    {
        if (!PagingParameters.IncludeTotalCount) return;
        // The API gives no total: exact only when the list was read to its end.
        WriteObject(PagingParameters.NewTotalCount(seen, more ? 0.0 : 1.0));
    }
}
