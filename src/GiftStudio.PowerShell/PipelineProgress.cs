using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>Write-Progress for a long pipeline: when and what to say is
/// <see cref="ProgressMeter"/>'s (in Core); this writes its records, one activity per
/// cmdlet, and the Completed record at the end when anything was shown.</summary>
internal sealed class PipelineProgress
{
    private readonly Cmdlet _cmdlet;
    private readonly ProgressMeter _meter = new ProgressMeter();
    private string? _activity;

    public PipelineProgress(Cmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>How many items the pipeline will have, when the cmdlet knows (-GiftId a, b, c).</summary>
    public long? Total
    {
        get => _meter.Total;
        set => _meter.Total = value;
    }

    /// <summary>Counts one item done and, when the meter says so (the first item, then at
    /// most four times a second), writes a record ($ProgressPreference decides whether it shows).</summary>
    public void Advance(string activity)
    {
        _activity = activity;
        if (!_meter.Advance()) return;
        _cmdlet.WriteProgress(new ProgressRecord(Id, activity, _meter.Describe()) { PercentComplete = _meter.PercentComplete });
    }

    /// <summary>From how long a silence on, progress mentions it.</summary>
    public static readonly System.TimeSpan SilenceWorthSaying = System.TimeSpan.FromSeconds(5);

    private long _silenceShown = -1;

    /// <summary>Says that results wait on a server that has answered nothing for
    /// <paramref name="silence"/> (once per whole second).</summary>
    public void Waiting(System.TimeSpan silence)
    {
        var seconds = (long)silence.TotalSeconds;
        if (seconds == _silenceShown) return;
        _silenceShown = seconds;
        _activity ??= _cmdlet.CommandRuntime?.ToString() ?? "GiftStudio";
        var status = (_meter.Done > 0 ? _meter.Describe() + "; " : "") + ProgressMeter.WaitingText(silence);
        _cmdlet.WriteProgress(new ProgressRecord(Id, _activity, status) { PercentComplete = _meter.PercentComplete });
        _meter.MarkReported();
    }

    /// <summary>Closes the activity, if one was shown (from EndProcessing).</summary>
    public void Complete()
    {
        if (_activity != null && _meter.Reported)
            _cmdlet.WriteProgress(new ProgressRecord(Id, _activity, _meter.Describe()) { RecordType = ProgressRecordType.Completed });
    }

    private int Id => _cmdlet.GetHashCode() & 0x7fffffff;
}
