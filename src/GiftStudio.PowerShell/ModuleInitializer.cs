using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace GiftStudio.PowerShell;

/// <summary>Hooks assembly resolution at Import-Module (no network, no file scanning) and
/// unhooks it at Remove-Module. On PowerShell 7 the dependencies/ folder is loaded into a
/// private AssemblyLoadContext by GiftStudio.Loader; on Windows PowerShell 5.1, where there
/// are no load contexts, it is simply probed. GIFTSTUDIO_DISABLE_ISOLATION=1 turns the
/// private context off (the negative control of the isolation test).</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public const string DisableVariable = "GIFTSTUDIO_DISABLE_ISOLATION";

    private static readonly object Gate = new object();

    private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

    private static readonly string Dependencies = Path.Combine(ModuleDirectory, "dependencies");

    /// <summary>Imports not yet removed. The module can be imported in several runspaces of
    /// one process (ThreadJobs, -Parallel), which share this assembly and its hook: the hook
    /// goes with the last removal, and a new import after it sets it again, never twice.</summary>
    private static int _imports;

    /// <summary>Undoes the hook that the first import set.</summary>
    private static Action? _unhook;

    public void OnImport()
    {
        lock (Gate)
        {
            if (_imports++ > 0) return;
            _unhook = Hook();
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (_imports == 0 || --_imports > 0) return;
            _unhook?.Invoke();
            _unhook = null;
        }
    }

    private static Action Hook()
    {
        var isFramework = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
        if (!isFramework && Environment.GetEnvironmentVariable(DisableVariable) != "1")
        {
            var isolation = Assembly.LoadFrom(Path.Combine(ModuleDirectory, "GiftStudio.Loader.dll"))
                .GetType("GiftStudio.Loader.DependencyIsolation", throwOnError: true)!;
            Invoke(isolation, "Enable", Dependencies);
            return () => Invoke(isolation, "Disable");
        }
        AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencies;
        return () => AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencies;
    }

    private static void Invoke(Type type, string method, params object[] arguments) =>
        type.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);

    private static Assembly? ResolveFromDependencies(object? sender, ResolveEventArgs args)
    {
        var path = Path.Combine(Dependencies, new AssemblyName(args.Name).Name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
