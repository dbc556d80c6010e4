using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace GiftStudio.PowerShell;

/// <summary>Runs at Import-Module and does nothing but hook assembly resolution (no
/// network, no file scanning). On PowerShell 7 the dependencies/ folder is loaded into a
/// private AssemblyLoadContext by GiftStudio.Loader; on Windows PowerShell 5.1, where
/// there are no load contexts, it is simply probed. GIFTSTUDIO_DISABLE_ISOLATION=1 turns
/// the private context off (the negative control of the isolation test).</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public const string DisableVariable = "GIFTSTUDIO_DISABLE_ISOLATION";

    public void OnImport()
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        var dependencies = Path.Combine(moduleDirectory, "dependencies");
        var isFramework = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
        if (!isFramework && Environment.GetEnvironmentVariable(DisableVariable) != "1")
        {
            var loader = Assembly.LoadFrom(Path.Combine(moduleDirectory, "GiftStudio.Loader.dll"));
            loader.GetType("GiftStudio.Loader.DependencyIsolation", throwOnError: true)!
                .GetMethod("Enable", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { dependencies });
            return;
        }
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
        {
            var path = Path.Combine(dependencies, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        };
    }
}
