using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using GiftStudio.Reports;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The report rendered by a real browser: Debian's headless Chromium, at a desktop and
/// a phone width. .ci/run installs chromium when it is missing; GIFTSTUDIO_CHROMIUM names
/// another binary. Without a browser the test is skipped, saying how to enable it, except
/// under CI=true, where a missing browser fails it.</summary>
public sealed class ReportBrowserTests
{
    [BrowserTheory]
    [InlineData(1280, 2000)]   // desktop
    [InlineData(390, 2000)]    // phone width (iPhone 12-15 CSS pixels), tall enough to reach the charts
    public async Task The_report_renders_with_bars_at_desktop_and_phone_width(int width, int height)
    {
        var work = Directory.CreateTempSubdirectory("gs-browser-").FullName;
        try
        {
            var page = System.IO.Path.Combine(work, "report.html");
            await File.WriteAllTextAsync(page, CurrencyReportHtml.Render(ReportHtmlTests.Sample()));
            var shot = System.IO.Path.Combine(work, "shot.png");

            await Chromium.ScreenshotAsync(page, shot, width, height, System.IO.Path.Combine(work, "profile"));

            // Kept for a person to look at: the last run's screenshots, in this checkout's out/.
            File.Copy(shot, System.IO.Path.Combine(TestFolders.Output("screenshots"), $"report-{width}x{height}.png"), overwrite: true);

            var image = Png.Read(await File.ReadAllBytesAsync(shot));
            Assert.Equal((width, height), (image.Width, image.Height));
            // Not blank: many colours, and a good part of the page is not the white background.
            var pixels = image.Pixels();
            var distinct = pixels.Distinct().Count();
            var notWhite = pixels.Count(p => p != 0xFFFFFF) / (double)pixels.Length;
            Assert.True(distinct > 50, $"only {distinct} colours: the page looks blank");
            Assert.InRange(notWhite, 0.02, 0.9);
            // The count bars were drawn (their exact colour, at least a few hundred pixels of it)
            // and so were the weekend shades.
            Assert.True(pixels.Count(p => p == 0x0072B2) > 200, "no count bar is visible");
            Assert.True(pixels.Count(p => p == 0xEBEBEB) > 200, "no weekend shading is visible");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>A theory that needs Chromium: skipped when there is none, except under CI=true,
/// where it runs and fails (CI installs the browser, so a missing one is a broken CI).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (Chromium.Find() == null && !Chromium.InCi) Skip = Chromium.Missing;
    }
}

/// <summary>The report's layout as Chromium computes it: the page is laid out in a frame of the
/// given width (a srcdoc frame: the same origin as the measuring page, which reads its
/// geometry once everything has loaded and writes it into an attribute that --dump-dom shows).
/// The report itself stays without script.</summary>
public sealed class ReportLayoutTests
{
    private const string Measure = """
        window.addEventListener('load', function () {
          try { measure(); } catch (e) { document.body.setAttribute('data-layout', JSON.stringify({ error: String(e) })); }
        });
        function measure() {
          var d = document.getElementById('report').contentDocument, r = { rows: [], dates: [] };
          function box(e) { var b = e.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, left: b.left, height: b.height }; }
          d.querySelectorAll('table.chart').forEach(function (chart) {
            var table = d.getElementById(chart.id.replace('chart-', 'daily-'));
            chart.querySelectorAll(':scope > tbody > tr').forEach(function (row) {
              var twin = table.querySelector(':scope > tbody > tr[data-date="' + row.getAttribute('data-date') + '"]');
              r.rows.push({ date: row.getAttribute('data-date'), chart: box(row), table: box(twin), chartLeft: box(chart).left, tableLeft: box(table).left });
            });
          });
          d.querySelectorAll('td.date').forEach(function (cell) {
            var clip = cell.firstElementChild, date = clip.children[0], weekday = clip.children[1];
            r.dates.push({ text: date.textContent, cell: box(cell), clip: box(clip), date: box(date), weekday: box(weekday) });
          });
          r.pageWidth = d.documentElement.scrollWidth;
          r.wide = [];
          d.querySelectorAll('body *').forEach(function (e) {
            if (e.getBoundingClientRect().right > d.documentElement.clientWidth + 0.5 && !e.closest('[style*="overflow-x:auto"]'))
              r.wide.push(e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right));
          });
          document.body.setAttribute('data-layout', JSON.stringify(r));
        }
        """;

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task Dates_stay_on_one_line_and_at_desktop_width_each_bar_is_level_with_its_table_row(int width)
    {
        var work = Directory.CreateTempSubdirectory("gs-layout-").FullName;
        try
        {
            var page = System.IO.Path.Combine(work, "measure.html");
            var report = CurrencyReportHtml.Render(ReportHtmlTests.Sample());
            await File.WriteAllTextAsync(page, "<!DOCTYPE html><html><body style=\"margin:0\">"
                + $"<iframe id=\"report\" style=\"border:0;width:{width}px;height:6000px\" srcdoc=\"{System.Net.WebUtility.HtmlEncode(report)}\"></iframe>"
                + "<script>" + Measure + "</script></body></html>");

            var dom = await Chromium.DumpDomAsync(page, width, System.IO.Path.Combine(work, "profile"));

            var json = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(dom, "data-layout=\"([^\"]*)\"").Groups[1].Value);
            Assert.False(string.IsNullOrEmpty(json), "the page was not measured: " + dom[..Math.Min(dom.Length, 300)]);
            using var layout = System.Text.Json.JsonDocument.Parse(json);
            Assert.False(layout.RootElement.TryGetProperty("error", out var error), "measuring failed: " + error);
            var dates = layout.RootElement.GetProperty("dates").EnumerateArray().ToArray();
            Assert.Equal(2 * 2 * 21, dates.Length);   // two metrics, chart and table, 21 days
            foreach (var date in dates)
            {
                var text = date.GetProperty("text").GetString();
                // The date is one line, and the cell is one line high: the weekday is beside it
                // or clipped away, never on a second line.
                Assert.True(date.GetProperty("date").GetProperty("height").GetDouble() <= CurrencyReportHtml.RowHeight + 1, $"{text} wraps at {width} px");
                Assert.Equal(CurrencyReportHtml.RowHeight, date.GetProperty("clip").GetProperty("height").GetDouble(), 0.5);
                var weekdayTop = date.GetProperty("weekday").GetProperty("top").GetDouble();
                var beside = Math.Abs(weekdayTop - date.GetProperty("date").GetProperty("top").GetDouble()) < 1;
                Assert.True(beside || weekdayTop >= date.GetProperty("clip").GetProperty("bottom").GetDouble(), $"the weekday of {text} is on a visible second line at {width} px");
                if (width >= 1280) Assert.True(beside, $"the weekday of {text} is not shown at {width} px");
            }
            // A phone scrolls the daily table inside its box, never the whole page sideways.
            Assert.True(layout.RootElement.GetProperty("pageWidth").GetDouble() <= width, $"the page is wider than {width} px: {layout.RootElement.GetProperty("wide")}");

            var rows = layout.RootElement.GetProperty("rows").EnumerateArray().ToArray();
            Assert.Equal(2 * 21, rows.Length);
            if (width < 1280) return;
            foreach (var row in rows)
            {
                // Side by side, and every bar level with its row of numbers.
                Assert.True(row.GetProperty("chartLeft").GetDouble() < row.GetProperty("tableLeft").GetDouble(), "chart and table are not side by side at 1280 px");
                Assert.Equal(row.GetProperty("table").GetProperty("top").GetDouble(), row.GetProperty("chart").GetProperty("top").GetDouble(), 0.5);
                Assert.Equal(row.GetProperty("table").GetProperty("height").GetDouble(), row.GetProperty("chart").GetProperty("height").GetDouble(), 0.5);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>Runs headless Chromium with the flags that keep it offline and quiet.</summary>
internal static class Chromium
{
    public const string Missing = "no Chromium found: install it (apt-get install chromium) or set GIFTSTUDIO_CHROMIUM=<path of a Chromium binary>";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>GIFTSTUDIO_CHROMIUM when set, else chromium or chromium-browser on PATH (Debian's and
    /// Ubuntu's names); null when there is none.</summary>
    public static string? Find() =>
        Environment.GetEnvironmentVariable("GIFTSTUDIO_CHROMIUM") is { Length: > 0 } configured ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(folder => new[] { "chromium", "chromium-browser" }.Select(name => System.IO.Path.Combine(folder, name)))
            .FirstOrDefault(IsExecutable);

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    public static string Path => Find() ?? throw new InvalidOperationException(Missing);

    public static async Task ScreenshotAsync(string page, string png, int width, int height, string profile)
    {
        await RunAsync(new[] { $"--window-size={width},{height}", "--screenshot=" + png }, page, profile);
        if (!File.Exists(png)) throw new InvalidOperationException("Chromium wrote no screenshot.");
    }

    /// <summary>The page's DOM after its load event (and its frames').</summary>
    public static Task<string> DumpDomAsync(string page, int width, string profile) =>
        RunAsync(new[] { $"--window-size={Math.Max(width, 500)},2000", "--dump-dom" }, page, profile);

    private static async Task<string> RunAsync(string[] arguments, string page, string profile)
    {
        var info = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--user-data-dir=" + profile,
        }.Concat(arguments).Append(new Uri(page).AbsoluteUri)) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A generous limit that only a hung browser reaches.
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(90))) != exited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Chromium did not finish within 90 s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Chromium exited with {process.ExitCode}: {await output} {await error}");
        return await output;
    }
}

/// <summary>A minimal PNG reader (8-bit RGB or RGBA, non-interlaced: what Chromium writes).</summary>
internal sealed class Png
{
    private Png(int width, int height, int channels, byte[] data)
    {
        Width = width;
        Height = height;
        Channels = channels;
        Data = data;
    }

    public int Width { get; }
    public int Height { get; }
    private int Channels { get; }
    private byte[] Data { get; }

    public static Png Read(byte[] file)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, file.Take(8).ToArray());
        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        for (var at = 8; at < file.Length;)
        {
            var length = BigEndian(file, at);
            var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            if (type == "IHDR")
            {
                width = BigEndian(file, at + 8);
                height = BigEndian(file, at + 12);
                Assert.Equal(8, file[at + 16]);   // bit depth
                channels = file[at + 17] switch { 2 => 3, 6 => 4, var other => throw new NotSupportedException($"PNG colour type {other}") };
                Assert.Equal(0, file[at + 20]);   // not interlaced
            }
            else if (type == "IDAT") idat.Write(file, at + 8, length);
            at += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        return new Png(width, height, channels, Unfilter(inflated.ToArray(), width, height, channels));
    }

    /// <summary>Every pixel as 0xRRGGBB.</summary>
    public int[] Pixels()
    {
        var pixels = new int[Width * Height];
        for (var i = 0; i < pixels.Length; i++)
        {
            var at = i * Channels;
            pixels[i] = Data[at] << 16 | Data[at + 1] << 8 | Data[at + 2];
        }
        return pixels;
    }

    private static int BigEndian(byte[] b, int at) => b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];

    private static byte[] Unfilter(byte[] raw, int width, int height, int bpp)
    {
        var stride = width * bpp;
        var output = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var source = y * (stride + 1) + 1;
            var row = y * stride;
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? output[row + x - bpp] : 0;
                int b = y > 0 ? output[row - stride + x] : 0;
                int c = x >= bpp && y > 0 ? output[row - stride + x - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new NotSupportedException($"PNG filter {filter}"),
                };
                output[row + x] = (byte)(raw[source + x] + predictor);
            }
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
