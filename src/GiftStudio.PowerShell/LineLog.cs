using System.IO;

namespace GiftStudio.PowerShell;

/// <summary>The server's output, appended to its log file; writes after Close are dropped
/// (output events can arrive after the process has exited).</summary>
internal sealed class LineLog
{
    private readonly StreamWriter _writer;
    private bool _closed;

    public LineLog(string path) =>
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

    public void Write(string line)
    {
        lock (_writer)
        {
            if (!_closed) _writer.WriteLine(line);
        }
    }

    public void Close()
    {
        lock (_writer)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
