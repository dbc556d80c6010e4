using System;
using System.Diagnostics;
using System.Globalization;

namespace GiftStudio;

/// <summary>Decides when a long pipeline says how far it is, and what it says: the first
/// finished item reports at once (so even a fast run shows progress), later ones at most
/// once per <see cref="Interval"/>. The text has the count, the rate and, when the total
/// is known, what is left. No PowerShell types, so it is tested on its own.</summary>
public sealed class ProgressMeter
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(250);

    private readonly Func<TimeSpan> _elapsed;
    private TimeSpan? _lastReport;

    public ProgressMeter(TimeSpan interval, Func<TimeSpan>? elapsed = null)
    {
        Interval = interval;
        if (elapsed == null)
        {
            var watch = Stopwatch.StartNew();
            elapsed = () => watch.Elapsed;
        }
        _elapsed = elapsed;
    }

    public ProgressMeter() : this(DefaultInterval) { }

    public TimeSpan Interval { get; }

    public long Done { get; private set; }

    /// <summary>How many items there are in all, when known.</summary>
    public long? Total { get; set; }

    /// <summary>Whether anything was reported (so a Completed record is due at the end).</summary>
    public bool Reported => _lastReport != null;

    /// <summary>Counts one item; true when it is time to report.</summary>
    public bool Advance()
    {
        Done++;
        var now = _elapsed();
        if (_lastReport is TimeSpan last && now - last < Interval) return false;
        _lastReport = now;
        return true;
    }

    /// <summary>"120 done, 85/s, 30 to go".</summary>
    public string Describe()
    {
        var text = Done.ToString("N0", CultureInfo.CurrentCulture) + " done";
        var seconds = _elapsed().TotalSeconds;
        if (Done > 1 && seconds > 0) text += ", " + (Done / seconds).ToString("N0", CultureInfo.CurrentCulture) + "/s";
        if (Total is long total && total >= Done) text += ", " + (total - Done).ToString("N0", CultureInfo.CurrentCulture) + " to go";
        return text;
    }

    /// <summary>"waiting for the server: no answer for 30 s".</summary>
    public static string WaitingText(TimeSpan silence) =>
        "waiting for the server: no answer for " + ((long)silence.TotalSeconds).ToString(CultureInfo.CurrentCulture) + " s";

    /// <summary>Notes that something was shown (so the Completed record is due).</summary>
    public void MarkReported() => _lastReport ??= _elapsed();

    /// <summary>Percent complete for Write-Progress, or -1 when the total is unknown.</summary>
    public int PercentComplete => Total is long total && total > 0 ? (int)Math.Min(100, Done * 100 / total) : -1;
}
