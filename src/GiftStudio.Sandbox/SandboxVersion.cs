using System.Reflection;

namespace GiftStudio.Sandbox;

/// <summary>The sandbox's version: the module's (the project reads GiftStudio.psd1), without build metadata.</summary>
public static class SandboxVersion
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        var informational = typeof(SandboxVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus < 0 ? informational : informational[..plus];
    }
}
