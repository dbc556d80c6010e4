using System;

namespace GiftStudio.Sandbox;

/// <summary>The process's exit codes, one per kind of startup failure, so a pipeline can tell
/// them apart (listed in --help and the README).</summary>
public static class ExitCodes
{
    public const int Stopped = 0;
    public const int Unexpected = 1;
    public const int BadArguments = 2;
    public const int DataFileLocked = 3;
    public const int CannotListen = 4;
    public const int DataPathUnusable = 5;
}

/// <summary>A startup failure the user can fix: one line on stderr and its exit code, no stack trace.</summary>
public sealed class StartupFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
