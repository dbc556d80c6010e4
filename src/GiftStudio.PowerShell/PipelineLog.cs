using System;
using System.Management.Automation;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell;

/// <summary>The PowerShell side of the log pump (<see cref="LogPump"/>, in Core): which
/// levels the cmdlet's -Verbose/-Debug or preference variables let show, and writing the
/// client's lines with WriteVerbose/WriteDebug, on the pipeline thread only.</summary>
internal sealed class PipelineLog
{
    private readonly PSCmdlet _cmdlet;
    private readonly LogPump _pump = new LogPump();
    private readonly Action<LogEntry> _write;

    public PipelineLog(PSCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
        _write = Write;
    }

    /// <summary>The log for the calls about to start; the levels are read once, on the
    /// pipeline thread, the first time (the parameters and variables live there).</summary>
    public IRequestLog ForCalls()
    {
        if (!_pump.LevelsKnown) _pump.SetLevels(IsEnabled("Verbose", "VerbosePreference"), IsEnabled("Debug", "DebugPreference"));
        return _pump;
    }

    /// <summary>Writes the lines that have arrived so far.</summary>
    public void Drain() => _pump.Drain(_write);

    /// <summary>Waits on this (pipeline) thread for <paramref name="task"/>, writing the
    /// lines of every request in flight as they arrive.</summary>
    public void WaitFor(Task task, Action? idle = null) => _pump.WaitFor(task, _write, idle);

    private void Write(LogEntry entry)
    {
        if (entry.IsDebug) _cmdlet.WriteDebug(entry.Message);
        else _cmdlet.WriteVerbose(entry.Message);
    }

    /// <summary>Whether -Verbose/-Debug (or the preference variable) lets that stream show.</summary>
    private bool IsEnabled(string parameter, string preferenceVariable)
    {
        var value = PSValue.BoundOrPreference(_cmdlet, parameter, preferenceVariable, out var bound);
        if (bound) return value is SwitchParameter s ? s.IsPresent : value is bool b && b;
        var preference = value?.ToString();
        return !(string.Equals(preference, nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase)
            || string.Equals(preference, nameof(ActionPreference.Ignore), StringComparison.OrdinalIgnoreCase));
    }
}
