using System;
using System.IO;

namespace GiftStudio.Testing;

/// <summary>Where the tests write files. Two users, or two checkouts, run the tests on one
/// machine, so nothing goes to a fixed name in the shared temp folder: temporary files live in
/// one private folder per test process (mode 0700, unique name, removed at exit), and what a
/// person should look at after a run goes under this checkout's out/TestResults.</summary>
public static class TestFolders
{
    private static readonly Lazy<string> PrivateTemp = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("giftstudio-tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { /* a child process may still hold a file; the folder is private */ }
            catch (UnauthorizedAccessException) { }
        };
        return folder;
    });

    /// <summary>This test process's own temporary folder.</summary>
    public static string Temp => PrivateTemp.Value;

    /// <summary>A folder under the checkout's out/TestResults (found from the test assembly's
    /// location), for artifacts kept after the run.</summary>
    public static string Output(string name) => Directory.CreateDirectory(Path.Combine(Checkout, "out", "TestResults", name)).FullName;

    /// <summary>The checkout the test assembly was built in (the folder of GiftStudio.PowerShell.sln).</summary>
    public static string Checkout
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "GiftStudio.PowerShell.sln")))
                directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException($"No checkout (GiftStudio.PowerShell.sln) above {AppContext.BaseDirectory}.");
        }
    }
}
