using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GiftStudio.PowerShell
{
    /// <summary>Starts the sandbox shipped in the module folder (sandbox/GiftStudio.Sandbox.dll)
    /// on a free loopback port, tied to this process, with a generated key handed over in a
    /// file that is deleted as soon as the server has read it.</summary>
    internal static class SandboxLauncher
    {
        private static readonly ConcurrentDictionary<int, SocialSandbox> Started = new ConcurrentDictionary<int, SocialSandbox>();

        public sealed class Settings
        {
            public int Port { get; set; }
            public string? DataPath { get; set; }
            public DateTime? Now { get; set; }
            public string? Seed { get; set; }
            public double? RateLimit { get; set; }
            public string? Faults { get; set; }
            public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
        }

        public static SocialSandbox Start(Settings settings, CancellationToken cancellationToken)
        {
            var moduleDirectory = Path.GetDirectoryName(typeof(SandboxLauncher).Assembly.Location)!;
            var serverDll = Path.Combine(moduleDirectory, "sandbox", "GiftStudio.Sandbox.dll");
            if (!File.Exists(serverDll))
                throw new SandboxException("SandboxNotFound", $"The sandbox server is missing from the module folder ({serverDll}). Reinstall GiftStudio.");
            var dotnet = FindDotnet()
                ?? throw new SandboxException("DotnetNotFound",
                    "The sandbox needs the .NET 10 runtime with ASP.NET Core, and no 'dotnet' was found (PATH, DOTNET_ROOT). Install the ASP.NET Core Runtime 10 from https://dot.net and try again.");

            var work = Path.Combine(Path.GetTempPath(), "giftstudio-sandbox-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(work);
            var ownsDirectory = settings.DataPath == null;
            var dataPath = settings.DataPath != null ? Path.GetFullPath(settings.DataPath) : Path.Combine(work, "sandbox.db");
            var logPath = Path.Combine(work, "sandbox.log");
            // Random from the first character: no fixed prefix that a partial leak could hide behind.
            var keyText = Convert.ToBase64String(RandomBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var keyFile = Path.Combine(work, "api-key.txt");
            File.WriteAllText(keyFile, keyText + "\n");
            RestrictToOwner(keyFile);

            var start = new ProcessStartInfo(dotnet)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                Arguments = string.Join(" ", new[]
                {
                    Quote(serverDll), "--urls", $"http://127.0.0.1:{settings.Port}", "--api-key-file", Quote(keyFile),
                    "--data", Quote(dataPath), "--parent-pid", Process.GetCurrentProcess().Id.ToString(),
                }
                .Concat(settings.Now is DateTime now ? new[] { "--now", SocialOsClient.FormatInstant(now) } : Array.Empty<string>())
                .Concat(settings.Seed != null ? new[] { "--seed", settings.Seed } : Array.Empty<string>())
                .Concat(settings.Faults != null ? new[] { "--faults", Quote(settings.Faults) } : Array.Empty<string>())
                .Concat(settings.RateLimit is double rate ? new[] { "--rate-limit", rate.ToString(System.Globalization.CultureInfo.InvariantCulture) } : Array.Empty<string>())),
            };

            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = new StringBuilder();
            var log = new LineLog(logPath);
            // Keep draining the server's output into its log, or it would block on a full pipe.
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                log.Write(e.Data);
                if (e.Data.StartsWith("Listening on ", StringComparison.Ordinal)) listening.TrySetResult(e.Data.Substring("Listening on ".Length).Trim());
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                log.Write(e.Data);
                lock (errors) errors.AppendLine(e.Data);
            };
            process.Exited += (_, __) =>
            {
                listening.TrySetException(new SandboxException("SandboxStartFailed", StartFailure(process, errors)));
                log.Close();
            };
            try
            {
                process.Start();
            }
            catch (Exception e)
            {
                throw new SandboxException("DotnetNotFound", $"Could not run '{dotnet}': {e.Message}. Install the ASP.NET Core Runtime 10 from https://dot.net.");
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            try
            {
                if (!listening.Task.Wait((int)settings.StartTimeout.TotalMilliseconds, cancellationToken))
                    throw new SandboxException("SandboxStartFailed", $"The sandbox did not report its address within {settings.StartTimeout.TotalSeconds:0} s; see {logPath}.");
                var url = listening.Task.Result.TrimEnd('/');
                WaitForHealth(url, settings.StartTimeout, cancellationToken);
                var key = new SecureString();
                foreach (var c in keyText) key.AppendChar(c);
                key.MakeReadOnly();
                var sandbox = new SocialSandbox(new Uri(url + "/v2"), key, process.Id, dataPath, logPath, ownsDirectory ? work : null);
                Started[process.Id] = sandbox;
                return sandbox;
            }
            catch
            {
                TryKill(process);
                throw;
            }
            finally
            {
                // The server read its key at startup: the file is not needed any more.
                TryDelete(keyFile);
            }
        }

        /// <summary>Stops a sandbox: a polite SIGTERM first (clean checkpoint), then a kill.</summary>
        public static bool Stop(int processId, bool keepData)
        {
            Started.TryRemove(processId, out var sandbox);
            Process process;
            try
            {
                process = Process.GetProcessById(processId);
            }
            catch (ArgumentException)
            {
                RemoveOwned(sandbox, keepData);
                return false;
            }
            using (process)
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) _ = SendTerminate(processId);
                if (!process.WaitForExit(5000)) TryKill(process);
                process.WaitForExit(5000);
            }
            RemoveOwned(sandbox, keepData);
            return true;
        }

        public static bool IsStartedHere(int processId) => Started.ContainsKey(processId);

        private static void RemoveOwned(SocialSandbox? sandbox, bool keepData)
        {
            if (keepData || sandbox?.OwnedDirectory == null) return;
            try { Directory.Delete(sandbox.OwnedDirectory, recursive: true); }
            catch (IOException) { /* still in use: leave it for the temp cleaner */ }
            catch (UnauthorizedAccessException) { }
        }

        private static void WaitForHealth(string url, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var http = new HttpClient(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    using var response = http.GetAsync(url + "/health", cancellationToken).GetAwaiter().GetResult();
                    if (response.IsSuccessStatusCode) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
                if (DateTime.UtcNow > deadline) throw new SandboxException("SandboxStartFailed", $"The sandbox at {url} did not become healthy within {timeout.TotalSeconds:0} s.");
                Thread.Sleep(100);
            }
        }

        private static string StartFailure(Process process, StringBuilder errors)
        {
            string stderr;
            lock (errors) stderr = errors.ToString().Trim();
            var code = process.HasExited ? process.ExitCode : -1;
            if (stderr.IndexOf("Microsoft.AspNetCore.App", StringComparison.Ordinal) >= 0 || stderr.IndexOf("install or update .NET", StringComparison.OrdinalIgnoreCase) >= 0)
                return $"The sandbox needs the ASP.NET Core Runtime 10, which this machine lacks. Install it from https://dot.net (or 'dotnet-install --runtime aspnetcore --channel 10.0'). The runtime said: {stderr}";
            return $"The sandbox exited during startup (exit code {code}): {(stderr.Length > 0 ? stderr : "no message")}";
        }

        /// <summary>dotnet itself when this pwsh runs on it (dotnet pwsh), else DOTNET_HOST_PATH, DOTNET_ROOT or PATH.</summary>
        private static string? FindDotnet()
        {
            var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
            var current = Process.GetCurrentProcess().MainModule?.FileName;
            if (current != null && Path.GetFileName(current).Equals(exe, StringComparison.OrdinalIgnoreCase)) return current;
            var candidates = new[]
            {
                Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
                Environment.GetEnvironmentVariable("DOTNET_ROOT") is string root ? Path.Combine(root, exe) : null,
            }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(p => p.Length > 0).Select(p => Path.Combine(p, exe)));
            return candidates.FirstOrDefault(p => p != null && File.Exists(p));
        }

        private static byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
            return bytes;
        }

        private static string Quote(string argument) => "\"" + argument.Replace("\"", "\\\"") + "\"";

        private static void RestrictToOwner(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            _ = chmod(path, 0x180); // 0600
        }

        private static bool SendTerminate(int pid) => kill(pid, 15) == 0;

        private static void TryKill(Process process)
        {
            try { if (!process.HasExited) process.Kill(); }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }

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

    /// <summary>The sandbox could not be started (runtime missing, startup failed).</summary>
    [Serializable]
    public sealed class SandboxException : Exception
    {
        public SandboxException(string errorId, string message) : base(message) => ErrorId = errorId;

        public string ErrorId { get; }
    }
}
