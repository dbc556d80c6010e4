using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace GiftStudio.PowerShell;

/// <summary>One pipeline item as its errors name it: its position in the pipeline (1-based),
/// its CSV line when Import-Csv or ConvertFrom-Csv feeds the cmdlet directly (the position +
/// 1 for the header line), and its key fields ("user 'alice.kred'"). A failed row carries Row
/// and CsvLine as properties of its target, so a failure file explains itself; a row read
/// back from such a file keeps the Row and CsvLine it already has (they name the original).</summary>
internal sealed class PipelineRow
{
    /// <param name="input">The piped object.</param>
    /// <param name="position">Its 1-based position in this pipeline.</param>
    /// <param name="keyFields">What identifies it, e.g. "user 'alice.kred'".</param>
    /// <param name="csvHeaderLines">Lines before the first row when the input comes straight from a CSV command (<see cref="CsvHeaderLines"/>).</param>
    public PipelineRow(PSObject input, long position, string? keyFields, int? csvHeaderLines)
    {
        Input = input;
        KeyFields = keyFields;
        Position = Carried(input, "Row") ?? position;
        CsvLine = Carried(input, "CsvLine") ?? (csvHeaderLines is int header ? position + header : (long?)null);
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

    private static long? Carried(PSObject input, string name) =>
        input.Properties[name]?.Value is object value
        && long.TryParse(Convert.ToString(PSValue.Unwrap(value), CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && number > 0 ? number : (long?)null;

    /// <summary>1 when the command just before this one in its pipeline is Import-Csv or
    /// ConvertFrom-Csv reading a header line, 0 when it is given -Header, null otherwise
    /// (another command in between, or a pipeline that spans lines: then only the position is known).</summary>
    public static int? CsvHeaderLines(InvocationInfo invocation)
    {
        if (invocation.PipelinePosition < 2 || string.IsNullOrEmpty(invocation.Line)) return null;
        var line = Parser.ParseInput(invocation.Line, out _, out _);
        var self = line.FindAll(a => a is CommandAst c && c.Extent.StartColumnNumber == invocation.OffsetInLine, true).FirstOrDefault() as CommandAst;
        if (!(self?.Parent is PipelineAst pipeline)) return null;
        var index = pipeline.PipelineElements.IndexOf(self);
        if (index < 1 || !(pipeline.PipelineElements[index - 1] is CommandAst source)) return null;
        var name = source.GetCommandName();
        if (!CsvCommands.Any(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase))) return null;
        var header = source.CommandElements.OfType<CommandParameterAst>().Any(p => "Header".StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase) && p.ParameterName.Length > 0);
        return header ? 0 : 1;
    }

    private static readonly string[] CsvCommands = { "Import-Csv", "ipcsv", "ConvertFrom-Csv", "Microsoft.PowerShell.Utility\\Import-Csv", "Microsoft.PowerShell.Utility\\ConvertFrom-Csv" };
}
