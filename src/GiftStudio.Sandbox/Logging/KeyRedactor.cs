using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GiftStudio.Sandbox.Logging;

/// <summary>The one rule that keeps the API keys out of the log: every configured key, and its
/// URL-encoded and base64 forms, is replaced by REDACTED wherever it stands in a logged string
/// (a path, a query, a header value, a property name, an exception's text). <see cref="LogSink"/>
/// applies it to every line, so no caller has to remember it.</summary>
public sealed class KeyRedactor
{
    public const string Mark = "REDACTED";

    private readonly (string Form, StringComparison Comparison)[] _forms;

    public KeyRedactor(IEnumerable<string> keys)
    {
        var forms = new List<(string, StringComparison)>();
        foreach (var key in keys.Where(k => k.Length > 0))
        {
            forms.Add((key, StringComparison.Ordinal));
            // Percent-escapes may come in either case (%2F, %2f).
            var escaped = Uri.EscapeDataString(key);
            if (escaped != key) forms.Add((escaped, StringComparison.OrdinalIgnoreCase));
            // Padding trimmed: the shorter form is found inside the padded one too.
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=');
            forms.Add((base64, StringComparison.Ordinal));
            var base64Url = base64.Replace('+', '-').Replace('/', '_');
            if (base64Url != base64) forms.Add((base64Url, StringComparison.Ordinal));
        }
        // Longest first: a key inside another key's form is replaced after it.
        _forms = forms.Distinct().OrderByDescending(f => f.Item1.Length).ToArray();
    }

    public string Redact(string text)
    {
        foreach (var (form, comparison) in _forms)
        {
            if (text.Contains(form, comparison)) text = text.Replace(form, Mark, comparison);
        }
        return text;
    }
}
