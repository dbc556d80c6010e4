using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;

namespace GiftStudio.PowerShell;

/// <summary>The key a sandbox serves and the file that hands it over: never the command line.
/// Either the data file's own key, kept beside it (DATA.key, owner-only) so that the file
/// reopens with its data, or the caller's -ApiKey in a transient file deleted once the server
/// has read it.</summary>
internal sealed class SandboxKey
{
    private readonly bool _fileMadeHere;

    private SandboxKey(string text, string filePath, bool kept, bool fileMadeHere)
    {
        Text = text;
        FilePath = filePath;
        IsKept = kept;
        _fileMadeHere = fileMadeHere;
    }

    public string Text { get; }

    /// <summary>The file given to the server with --api-key-file.</summary>
    public string FilePath { get; }

    /// <summary>Kept beside the data file (not a transient -ApiKey file).</summary>
    public bool IsKept { get; }

    /// <summary>-ApiKey as text, refused first (before anything is made) when the sandbox would not serve it.</summary>
    public static string CheckGiven(SecureString key)
    {
        var text = PlainText(key);
        if (!SandboxKeys.IsServable(text))
            throw new SocialOsInputException(ErrorIds.InvalidApiKey, "ApiKey", null, SandboxKeys.ServableRule);
        return text;
    }

    /// <summary>A checked -ApiKey, in a transient file in the work folder.</summary>
    public static SandboxKey Given(string text, string workFolder)
    {
        var file = Path.Combine(workFolder, "api-key.txt");
        WriteOwnerOnly(file, text, "the key given to Start-SocialSandbox -ApiKey; deleted once the server has read it");
        return new SandboxKey(text, file, kept: false, fileMadeHere: true);
    }

    /// <summary>The key kept beside the data file, or a new one written there. A data file
    /// that exists without its key file was written with another key: a new key is a new,
    /// empty tenant, and the user is told so.</summary>
    public static SandboxKey OfDataFile(string dataPath, Action<string>? warn)
    {
        var file = SandboxKeys.PathFor(dataPath);
        if (File.Exists(file))
        {
            RestrictToOwner(file);
            var kept = File.ReadAllLines(file).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal))
                ?? throw new SandboxException(ErrorIds.SandboxStartFailed,
                    $"The key file {file} holds no key. Pass -ApiKey with the key that wrote {dataPath}, or delete the key file to make a new key (which does not see the data of the old one).");
            return new SandboxKey(kept, file, kept: true, fileMadeHere: false);
        }
        if (File.Exists(dataPath))
            warn?.Invoke($"{dataPath} has no key file beside it ({Path.GetFileName(file)}), so a new key was made for it: its new tenant is empty, and data written with another key is not visible. To reach that data, pass -ApiKey with the key that wrote it.");
        var generated = SandboxKeys.Generate();
        WriteOwnerOnly(file, generated, $"the API key of the GiftStudio sandbox data file {Path.GetFileName(dataPath)}; keep it private, and beside its data file");
        return new SandboxKey(generated, file, kept: true, fileMadeHere: true);
    }

    /// <summary>Once the server has read it: a transient -ApiKey file goes.</summary>
    public void ForgetTransientFile()
    {
        if (!IsKept) SandboxFolders.TryDeleteFile(FilePath);
    }

    /// <summary>A failed start leaves no key file it made.</summary>
    public void ForgetFileMadeHere()
    {
        if (_fileMadeHere) SandboxFolders.TryDeleteFile(FilePath);
    }

    public SecureString ToSecureString()
    {
        var key = new SecureString();
        foreach (var c in Text) key.AppendChar(c);
        key.MakeReadOnly();
        return key;
    }

    /// <summary>Made empty, restricted, then filled: the key is never in a file others can read.</summary>
    private static void WriteOwnerOnly(string path, string key, string comment)
    {
        using (new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None)) { }
        RestrictToOwner(path);
        File.WriteAllText(path, "# " + comment + "\n" + key + "\n");
    }

    private static void RestrictToOwner(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        _ = NativeMethods.chmod(path, 0x180); // 0600
    }

    private static string PlainText(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try { return Marshal.PtrToStringUni(pointer) ?? ""; }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
    }
}

/// <summary>The sandbox key policy on the module's side; the sandbox's own is ApiKeys.Generate
/// and SandboxOptions' key check, and tests/Pester/SocialSandbox.Tests.ps1 checks that they agree.</summary>
internal static class SandboxKeys
{
    /// <summary>What a key must be for the sandbox to serve it from a key file: one line of 1
    /// to 512 printable ASCII characters without spaces (the sandbox's own check), not starting
    /// with '#' (the key file's comment mark). Checked before starting, so a key the sandbox
    /// would refuse is an InvalidApiKey here.</summary>
    public static bool IsServable(string key) =>
        key.Length >= 1 && key.Length <= 512 && key[0] != '#' && key.All(c => c >= 0x21 && c <= 0x7E);

    public const string ServableRule =
        "-ApiKey is not a key the sandbox can serve: give 1 to 512 printable ASCII characters without spaces that do not start with '#'.";

    /// <summary>Where a data file keeps its key: beside it, as DATA.key.</summary>
    public static string PathFor(string dataPath) => dataPath + ".key";

    /// <summary>24 random bytes in base64url, random from the first character: no fixed prefix
    /// that a partial leak could hide behind. The form the sandbox generates too.</summary>
    public static string Generate()
    {
        var bytes = new byte[24];
        using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
