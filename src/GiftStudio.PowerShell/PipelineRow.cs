using System.Linq;
using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>One pipeline item as its errors name it: its position in the pipeline (1-based),
/// its CSV line when it is a CSV row (the position + 1 for the header line, which is the
/// file's line when the whole file was piped in, in order), and its key fields ("user
/// 'alice.kred'"). A failed row carries Row and CsvLine as properties of its target, so a
/// failure file explains itself.</summary>
internal sealed class PipelineRow
{
    public PipelineRow(PSObject input, long position, string? keyFields)
    {
        Input = input;
        Position = position;
        KeyFields = keyFields;
        CsvLine = IsCsvRow(input) ? position + 1 : (long?)null;
    }

    public PSObject Input { get; }

    public long Position { get; }

    public long? CsvLine { get; }

    public string? KeyFields { get; }

    /// <summary>"Row 5 (CSV line 6; user 'alice.kred')".</summary>
    public string Describe()
    {
        var details = new[] { CsvLine is long line ? $"CSV line {line}" : null, KeyFields }.Where(d => d != null).ToArray();
        return $"Row {Position}" + (details.Length > 0 ? " (" + string.Join("; ", details) + ")" : "");
    }

    /// <summary>Adds Row (and CsvLine) to an error's target, when it is an object that can take them.</summary>
    public void MarkOn(object? target)
    {
        if (!(target is PSObject row)) return;
        Set(row, "Row", Position);
        if (CsvLine is long line) Set(row, "CsvLine", line);
    }

    private static void Set(PSObject row, string name, long value)
    {
        var property = row.Properties[name];
        if (property == null) row.Properties.Add(new PSNoteProperty(name, value));
        else if (property.IsSettable) property.Value = value;
    }

    /// <summary>What Import-Csv and ConvertFrom-Csv give: a custom object whose every value is text
    /// (a failure file read back keeps its Row and CsvLine columns, which say the original row).</summary>
    private static bool IsCsvRow(PSObject input) =>
        input.BaseObject is PSCustomObject
        && input.Properties.All(p => p is PSNoteProperty note && (note.Value == null || note.Value is string));
}
