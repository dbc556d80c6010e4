using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>Every error id the module raises is written once, in <see cref="ErrorIds"/>
/// (src/GiftStudio.Core/ErrorIds.cs), and docs/help/about_GiftStudio.md explains each one.</summary>
public sealed class ErrorIdCatalogTests
{
    /// <summary>The launcher and connection files another change of issue #24 restructures;
    /// they move to the catalog after it merges, and then leave this list.</summary>
    private static readonly string[] ScannedFolders = { "src/GiftStudio.Core", "src/GiftStudio.PowerShell" };

    private const string CatalogFile = "src/GiftStudio.Core/ErrorIds.cs";

    /// <summary>The ways a module source raises or tests an error id with a literal: as the id
    /// of an exception, of an ErrorRecord, of a status's tuple, in a comparison, or as the
    /// prefix of a composed id.</summary>
    private static readonly Regex[] RaisedLiteral =
    {
        new(@"new\s+(?:SocialOsInputException|SocialOsConfigurationException|SandboxException)\(\s*""(?<id>\w+)"""),
        new(@"new\s+ErrorRecord\(\s*[^,()]+,\s*""(?<id>\w+)"""),
        new(@"\bRecord\(\s*[\w.]+,\s*""(?<id>\w+)"""),
        new(@"\(\s*""(?<id>\w+)"",\s*ErrorCategory\."),
        new(@"ErrorId\s*==\s*""(?<id>\w+)"""),
        new(@"""(?<id>Invalid|Missing)""\s*\+"),
    };

    private static IReadOnlyList<FieldInfo> CatalogIds() =>
        typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).ToList();

    [Fact]
    public void NoErrorIdIsWrittenOutsideTheCatalog()
    {
        var known = new HashSet<string>(CatalogIds().Select(f => (string)f.GetRawConstantValue()!), StringComparer.Ordinal);
        var found = Scan(TestFolders.Checkout, known).ToList();
        Assert.True(found.Count == 0, $"{found.Count} error id(s) written outside {CatalogFile} (use ErrorIds.<Name>; a new id goes into the catalog first):{Environment.NewLine}"
            + string.Join(Environment.NewLine, found));
    }

    [Fact]
    public void AboutGiftStudioExplainsEveryCatalogId()
    {
        var about = File.ReadAllText(Path.Combine(TestFolders.Checkout, "docs", "help", "about_GiftStudio.md"));
        var missing = CatalogIds()
            .Select(f => f.Name == nameof(ErrorIds.InvalidPrefix) || f.Name == nameof(ErrorIds.MissingPrefix)
                ? $"`{f.GetRawConstantValue()}<Parameter>`"
                : $"`{f.GetRawConstantValue()}`")
            .Where(shown => about.IndexOf(shown, StringComparison.Ordinal) < 0)
            .ToList();
        Assert.True(missing.Count == 0, $"docs/help/about_GiftStudio.md does not explain {missing.Count} error id(s): {string.Join(", ", missing)}");
    }

    [Fact]
    public void TheScanFindsEveryFormOfALiteralId()
    {
        var sample = string.Join("\n",
            "throw new SocialOsInputException(\"InvalidThing\", \"Thing\", v, m);",
            "throw new SandboxException(\"SandboxGone\", m);",
            "WriteError(ErrorRecords.Record(e, \"SomethingElse\", ErrorCategory.InvalidArgument, null, null));",
            "case 418: return (\"ApiTeapot\", ErrorCategory.NotSpecified, null);",
            "if (e.ErrorId == \"SandboxStartFailed\") { }",
            "var id = \"Missing\" + parameter;",
            "var text = \"NoApiKey\";",
            "throw new SocialOsInputException(ErrorIds.InvalidPath, \"Path\", path, message);");
        var hits = Hits("sample.cs", sample, new HashSet<string> { "NoApiKey", "InvalidPath" }).Select(h => h.Line).ToList();
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7 }, hits);
    }

    private sealed record Hit(string File, int Line, string Id)
    {
        public override string ToString() => $"{File}:{Line}: \"{Id}\"";
    }

    private static IEnumerable<Hit> Scan(string checkout, ISet<string> known) =>
        ScannedFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(checkout, folder), "*.cs", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(checkout, path).Replace('\\', '/'))
            .Where(file => file != CatalogFile && !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal))
            .OrderBy(file => file, StringComparer.Ordinal)
            .SelectMany(file => Hits(file, File.ReadAllText(Path.Combine(checkout, file)), known));

    /// <summary>A raise site with a literal id, and any literal that is a catalog id.</summary>
    private static IEnumerable<Hit> Hits(string file, string text, ISet<string> known)
    {
        var positions = RaisedLiteral.SelectMany(pattern => pattern.Matches(text).Select(m => (m.Groups["id"].Index, m.Groups["id"].Value)))
            .Concat(Regex.Matches(text, @"""(?<id>\w+)""").Where(m => known.Contains(m.Groups["id"].Value)).Select(m => (m.Groups["id"].Index, m.Groups["id"].Value)))
            .Distinct()
            .OrderBy(p => p.Index);
        foreach (var (index, id) in positions)
            yield return new Hit(file, text.Take(index).Count(c => c == '\n') + 1, id);
    }
}
