using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Security;
using System.Threading;

namespace GiftStudio.PowerShell;

/// <summary>Starts and stops the sandboxes of this session: the server shipped in the module
/// folder, on a free loopback port, tied to this process (--parent-pid) but not to its
/// terminal (<see cref="DetachedProcess"/>), its key handed over in a file
/// (<see cref="SandboxKey"/>), its files in a private folder (<see cref="SandboxFolders"/>),
/// ready once it has written its ready file and answers /health (<see cref="SandboxReadiness"/>).</summary>
internal static class SandboxLauncher
{
    private static readonly ConcurrentDictionary<int, SocialSandbox> Started = new ConcurrentDictionary<int, SocialSandbox>();

    /// <summary>Sandboxes of this session that Stop already stopped (a second stop is no error).</summary>
    private static readonly ConcurrentDictionary<int, bool> StoppedHere = new ConcurrentDictionary<int, bool>();

    public sealed class Settings
    {
        public int Port { get; set; }
        public string? DataPath { get; set; }
        /// <summary>The key to serve instead of the data file's own one.</summary>
        public SecureString? ApiKey { get; set; }
        public DateTime? Now { get; set; }
        public string? Seed { get; set; }
        public double? RateLimit { get; set; }
        public string? Faults { get; set; }
        /// <summary>--storage memory: the server keeps its data in a temporary SQLite file of its
        /// own on a RAM-backed folder (/dev/shm where there is one, else the temp folder),
        /// deleted when it ends (or by the next sandbox's start, if it was killed). Nothing
        /// outlives the server, so the sandbox reports no DataPath.</summary>
        public bool InMemory { get; set; }
        /// <summary>--fresh: start from an empty data file (a sandbox's own file only, unless Force).</summary>
        public bool Fresh { get; set; }
        /// <summary>--force with --fresh: wipe a file the sandbox did not create.</summary>
        public bool Force { get; set; }
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>Called on the calling thread for what the user should know (a data file
        /// without its key file, the server's own start-up warnings).</summary>
        public Action<string>? Warn { get; set; }
        public Action<string>? Verbose { get; set; }
    }

    public static SocialSandbox Start(Settings settings, CancellationToken cancellationToken)
    {
        var givenKey = settings.ApiKey == null ? null : SandboxKey.CheckGiven(settings.ApiKey);
        var serverDll = SandboxCommandLine.ServerDll();
        var dotnet = SandboxCommandLine.Dotnet();

        SandboxFolders.RemoveStale(settings.Verbose);
        var self = CurrentProcessId;
        var work = SandboxFolders.Create(self);
        // Without -DataPath the data file lives in the work folder. In memory there is no data
        // file to keep, but the generated key is still kept there, as sandbox.db.key.
        var dataPath = settings.DataPath != null ? Path.GetFullPath(settings.DataPath) : Path.Combine(work, "sandbox.db");
        var logPath = Path.Combine(work, "sandbox.log");
        var readyPath = Path.Combine(work, "ready.json");

        SandboxKey key;
        DetachedProcess server;
        try
        {
            key = givenKey != null ? SandboxKey.Given(givenKey, work) : SandboxKey.OfDataFile(dataPath, settings.Warn);
            var arguments = SandboxCommandLine.Arguments(serverDll, settings, key.FilePath, dataPath, readyPath, self);
            server = DetachedProcess.Start(dotnet, arguments, logPath, settings.Verbose);
        }
        catch
        {
            // Nothing ran: the folder holds nothing worth keeping.
            SandboxFolders.TryDelete(work);
            throw;
        }
        SandboxFolders.AddOwner(work, server.Id);

        try
        {
            var ready = SandboxReadiness.WaitUntilReady(server, readyPath, settings.StartTimeout, logPath, cancellationToken);
            foreach (var warning in ready.Warnings) settings.Warn?.Invoke(warning);
            if (ready.DataSummary != null) settings.Verbose?.Invoke("Sandbox " + ready.DataSummary);
            var sandbox = new SocialSandbox(ready.ApiUri, key.ToSecureString(), server.Id, settings.InMemory ? null : dataPath, logPath,
                settings.InMemory || !key.IsKept ? null : key.FilePath, work);
            Started[server.Id] = sandbox;
            return sandbox;
        }
        catch
        {
            // The log stays for the message that names it; a key file made for this start goes.
            server.Kill();
            key.ForgetFileMadeHere();
            throw;
        }
        finally
        {
            key.ForgetTransientFile();
        }
    }

    /// <summary>Stops a sandbox of this session and removes the folder Start made (its log,
    /// and the data file only when Start made that too) unless <paramref name="keepData"/>;
    /// a user's -DataPath file and its key file live elsewhere and stay. False when the
    /// process had exited already.</summary>
    public static bool Stop(int processId, bool keepData)
    {
        if (Started.TryRemove(processId, out var sandbox)) StoppedHere[processId] = true;
        var stopped = SandboxStopper.Stop(processId);
        if (!keepData && sandbox != null) SandboxFolders.TryDelete(sandbox.WorkDirectory);
        return stopped;
    }

    public static bool IsStartedHere(int processId) => Started.ContainsKey(processId);

    public static bool WasStoppedHere(int processId) => StoppedHere.ContainsKey(processId);

    private static int CurrentProcessId
    {
        get
        {
            using var current = Process.GetCurrentProcess();
            return current.Id;
        }
    }
}
