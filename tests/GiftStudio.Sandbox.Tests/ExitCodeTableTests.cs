using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The README's exit-code table, row by row: each documented code has scenarios that
/// end with it (as a child process), and each start-up failure among them is one line on
/// stderr, announces nothing and leaves no file behind in its folder. A row added to the table
/// without a scenario fails here.</summary>
public sealed class ExitCodeTableTests
{
    private static string Pid => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The codes of the README's table (| code | meaning |, under "Exit codes").</summary>
    public static IReadOnlyList<int> DocumentedCodes()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "../../../../../README.md"));
        var table = readme[readme.IndexOf("**Exit codes**", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("| code |", StringComparison.Ordinal), StringComparison.Ordinal)];
        return Regex.Matches(table, @"^\| ([0-9]+) \|", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
    }

    public static TheoryData<int> Codes()
    {
        var data = new TheoryData<int>();
        foreach (var code in DocumentedCodes()) data.Add(code);
        return data;
    }

    /// <summary>1 is a bug: nothing a user does is meant to cause it, so it has no scenario; the
    /// test of every other row checks that its failure is not a 1.</summary>
    private const int Bug = ExitCodes.Unexpected;

    [Fact]
    public void The_table_lists_every_code_the_sandbox_has_and_help_does_too()
    {
        var codes = new[] { ExitCodes.Stopped, ExitCodes.Unexpected, ExitCodes.BadArguments, ExitCodes.DataFileLocked, ExitCodes.CannotListen, ExitCodes.DataPathUnusable };
        Assert.Equal(codes, DocumentedCodes());
        foreach (var code in codes) Assert.Matches(new Regex($"^  {code}  ", RegexOptions.Multiline), SandboxOptions.Usage);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Every_row_of_the_exit_code_table_has_scenarios_that_end_with_its_code(int code)
    {
        if (code == Bug) return;
        Assert.True(Scenarios.ContainsKey(code), $"exit code {code} is in the README's table but has no scenario here");
        foreach (var scenario in Scenarios[code]) await scenario(code);
    }

    private static readonly Dictionary<int, Func<int, Task>[]> Scenarios = new()
    {
        [ExitCodes.Stopped] = new Func<int, Task>[] { StoppedBySigtermAsync },
        [ExitCodes.BadArguments] = new Func<int, Task>[]
        {
            code => RefusedAsync(code, "--now", f => new[] { "--now", "9999-12-31T23:59:58Z" }),
            code => RefusedAsync(code, "--now", f => new[] { "--now", "0001-01-05T00:00:00Z" }),
            code => RefusedAsync(code, "--port-file", f => new[] { "--port-file", Path.Combine(Plain(f), "port") }),
            code => RefusedAsync(code, "--ready-file", f => new[] { "--ready-file", Path.Combine(Plain(f), "ready.json") }),
            code => RefusedAsync(code, "--shutdown-timeout", f => new[] { "--shutdown-timeout", "soon" }),
        },
        [ExitCodes.DataFileLocked] = new Func<int, Task>[] { DataFileInUseAsync },
        [ExitCodes.CannotListen] = new Func<int, Task>[]
        {
            code => RefusedAsync(code, "10.255.255.1", f => new[] { "--urls", "http://10.255.255.1:0" }),
            PortInUseAsync,
        },
        [ExitCodes.DataPathUnusable] = new Func<int, Task>[] { StrangerSqliteFileAsync },
    };

    /// <summary>A regular file in the folder, so a path under it cannot be created.</summary>
    private static string Plain(string folder)
    {
        var file = Path.Combine(folder, "plain.txt");
        File.WriteAllText(file, "a file, not a folder");
        return file;
    }

    /// <summary>Runs the sandbox on a new data file in a folder of its own, with the scenario's
    /// switches, and checks the refusal: the code, one line naming <paramref name="named"/>,
    /// nothing announced, no file left that was not there before.</summary>
    private static async Task RefusedAsync(int code, string named, Func<string, string[]> extra, string? dataPath = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(TempData.Folder, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var args = new List<string> { "--urls", "http://127.0.0.1:0", "--api-key", "K1", "--data", dataPath ?? Path.Combine(folder, "sandbox.db"), "--log-file", Path.Combine(folder, "sandbox.log") };
            args.AddRange(extra(folder));
            var before = Directory.GetFiles(folder).Select(f => (f, File.ReadAllBytes(f))).ToList();
            await using var process = SandboxProcess.Launch(args);
            Assert.True(await process.WaitForExitAsync(SandboxProcess.Patience), process.Describe());
            Assert.True(process.ExitCode == code, $"expected exit code {code}: {process.Describe()}");
            var stderr = Assert.Single(process.StderrLines, l => l.Length > 0);
            Assert.StartsWith("GiftStudio.Sandbox: ", stderr, StringComparison.Ordinal);
            Assert.Contains(named, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(process.StdoutLines, l => l.Length > 0);
            Assert.False(File.Exists(process.ReadyFile), "a refused start wrote its ready file");
            Assert.Equal(before.Select(b => b.f).Order(), Directory.GetFiles(folder).Order());
            foreach (var (file, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task StoppedBySigtermAsync(int code)
    {
        using var data = new TempData();
        await using var server = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        Assert.True(await server.TerminateAsync(SandboxProcess.Patience), server.Describe());
        Assert.Equal(code, server.ExitCode);
    }

    private static async Task DataFileInUseAsync(int code)
    {
        using var data = new TempData();
        await using var owner = await SandboxProcess.StartAsync(new SandboxStart { DataPath = data.Path });
        await RefusedAsync(code, "in use by another running sandbox", _ => Array.Empty<string>(), data.Path);
    }

    private static async Task PortInUseAsync(int code)
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;
        await RefusedAsync(code, "port 0", _ => new[] { "--urls", $"http://127.0.0.1:{port}" });
    }

    /// <summary>Another application's SQLite file: refused naming its tables, its bytes as they were.</summary>
    private static async Task StrangerSqliteFileAsync(int code)
    {
        using var stranger = new TempData();
        using (var connection = new SqliteConnection($"Data Source={stranger.Path};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO customers (name) VALUES ('precious');";
            create.ExecuteNonQuery();
        }
        var before = SHA256.HashData(File.ReadAllBytes(stranger.Path));
        await RefusedAsync(code, "its tables: customers, orders", _ => Array.Empty<string>(), stranger.Path);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(stranger.Path)));
        Assert.False(File.Exists(stranger.Path + "-wal"));
    }
}
