using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace GiftStudio.Loader;

/// <summary>Loads GiftStudio.Http and its third-party dependencies (Microsoft.Extensions.*)
/// from the module's dependencies/ folder into a private AssemblyLoadContext, so another
/// module's versions of them in the same session cannot collide with ours. The types users
/// see (GiftStudio.Core, GiftStudio.PowerShell) stay in the default context, and anything the
/// runtime or pwsh already provides is shared, never loaded twice.</summary>
public static class DependencyIsolation
{
    private static readonly object Gate = new();

    /// <summary>Made once per process and kept: it is not collectible, the assemblies it holds
    /// stay loaded, and a second one would load second copies of them.</summary>
    private static PrivateLoadContext? _context;

    private static bool _hooked;

    /// <summary>The names that enter the private context from the default one.</summary>
    private static readonly string[] EntryAssemblies = { "GiftStudio.Http" };

    /// <summary>At Import-Module: routes the entry assemblies to the private context. Once,
    /// however often it is called.</summary>
    public static void Enable(string dependencyDirectory)
    {
        lock (Gate)
        {
            _context ??= new PrivateLoadContext(dependencyDirectory);
            if (_hooked) return;
            AssemblyLoadContext.Default.Resolving += ResolveEntry;
            _hooked = true;
        }
    }

    /// <summary>At Remove-Module: takes the hook away again. The context stays for a later Enable.</summary>
    public static void Disable()
    {
        lock (Gate)
        {
            if (!_hooked) return;
            AssemblyLoadContext.Default.Resolving -= ResolveEntry;
            _hooked = false;
        }
    }

    private static Assembly? ResolveEntry(AssemblyLoadContext _, AssemblyName name) =>
        EntryAssemblies.Contains(name.Name, StringComparer.OrdinalIgnoreCase) ? _context?.LoadFromAssemblyName(name) : null;

    private sealed class PrivateLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;
        private readonly HashSet<string> _shared;

        public PrivateLoadContext(string directory) : base("GiftStudio", isCollectible: false)
        {
            _directory = directory;
            // Whatever the runtime or pwsh ships (the trusted platform assemblies) is shared.
            _shared = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(Path.GetFileNameWithoutExtension)
                .Where(n => n is not null)
                .Select(n => n!)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        protected override Assembly? Load(AssemblyName name)
        {
            // Our public types come from the default context, so users can name them.
            if (name.Name is null || name.Name.StartsWith("GiftStudio.", StringComparison.Ordinal) && name.Name != "GiftStudio.Http")
                return null;
            if (_shared.Contains(name.Name)) return null;
            var path = Path.Combine(_directory, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
