using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace GiftStudio.PowerShell;

/// <summary>What runs a sandbox: the dotnet host, the server shipped in the module folder
/// (sandbox/GiftStudio.Sandbox.dll), and the server's arguments for one start.</summary>
internal static class SandboxCommandLine
{
    /// <exception cref="SandboxException">SandboxNotFound: the module folder lacks the server.</exception>
    public static string ServerDll()
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(SandboxCommandLine).Assembly.Location)!;
        var serverDll = Path.Combine(moduleDirectory, "sandbox", "GiftStudio.Sandbox.dll");
        if (!File.Exists(serverDll))
            throw new SandboxException(ErrorIds.SandboxNotFound, $"The sandbox server is missing from the module folder ({serverDll}). Reinstall GiftStudio.");
        return serverDll;
    }

    /// <summary>dotnet itself when this pwsh runs on it (dotnet pwsh), else DOTNET_HOST_PATH, DOTNET_ROOT or PATH.</summary>
    /// <exception cref="SandboxException">DotnetNotFound.</exception>
    public static string Dotnet()
    {
        var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        using var self = Process.GetCurrentProcess();
        var current = self.MainModule?.FileName;
        if (current != null && Path.GetFileName(current).Equals(exe, StringComparison.OrdinalIgnoreCase)) return current;
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is string root ? Path.Combine(root, exe) : null,
            DetachedProcess.FindOnPath(exe),
        };
        return candidates.FirstOrDefault(p => p != null && File.Exists(p))
            ?? throw new SandboxException(ErrorIds.DotnetNotFound,
                "The sandbox needs the .NET 10 runtime with ASP.NET Core, and no 'dotnet' was found (PATH, DOTNET_ROOT). Install the ASP.NET Core Runtime 10 from https://dot.net and try again.");
    }

    /// <summary>The server's arguments, quoted, for one start. The key goes in a file, never
    /// here: a command line is visible to every user of the machine.</summary>
    public static string Arguments(string serverDll, SandboxLauncher.Settings settings, string keyFile, string dataPath, string readyPath, int parentPid)
    {
        var arguments = new List<string>
        {
            Quote(serverDll), "--urls", $"http://127.0.0.1:{settings.Port}", "--api-key-file", Quote(keyFile),
            "--parent-pid", parentPid.ToString(CultureInfo.InvariantCulture),
            "--ready-file", Quote(readyPath),
        };
        arguments.AddRange(settings.InMemory ? new[] { "--storage", "memory" } : new[] { "--data", Quote(dataPath) });
        if (settings.Now is DateTime now) arguments.AddRange(new[] { "--now", SocialOsClient.FormatInstant(now) });
        if (settings.Seed != null) arguments.AddRange(new[] { "--seed", settings.Seed });
        if (settings.Faults != null) arguments.AddRange(new[] { "--faults", Quote(settings.Faults) });
        if (settings.RateLimit is double rate) arguments.AddRange(new[] { "--rate-limit", rate.ToString(CultureInfo.InvariantCulture) });
        if (settings.Fresh) arguments.Add("--fresh");
        if (settings.Fresh && settings.Force) arguments.Add("--force");
        return string.Join(" ", arguments);
    }

    private static string Quote(string argument) => DetachedProcess.Quote(argument);
}
