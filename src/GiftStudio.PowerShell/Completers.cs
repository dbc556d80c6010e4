using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;

namespace GiftStudio.PowerShell
{
    /// <summary>Tab completion from a fixed list (tiers, metrics, actions, common windows).</summary>
    public abstract class FixedValuesCompleter : IArgumentCompleter
    {
        private readonly string[] _values;

        protected FixedValuesCompleter(params string[] values) => _values = values;

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            return _values
                .Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
        }
    }

    public sealed class TierCompleter : FixedValuesCompleter
    {
        public TierCompleter() : base(StrictInput.Tiers) { }
    }

    public sealed class MetricCompleter : FixedValuesCompleter
    {
        public MetricCompleter() : base(StrictInput.Metrics) { }
    }

    public sealed class ActionCompleter : FixedValuesCompleter
    {
        public ActionCompleter() : base(StrictInput.Actions) { }
    }

    public sealed class WindowCompleter : FixedValuesCompleter
    {
        public WindowCompleter() : base("24h", "7d", "30d", "90d", "365d") { }
    }

    /// <summary>Gift ids from the first page of the gift list of the connection in use. Asks
    /// with a short timeout and no retries, so a slow or absent server never blocks the prompt.</summary>
    public sealed class GiftIdCompleter : IArgumentCompleter
    {
        public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1.5);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = (fakeBoundParameters?["Connection"] is PSObject ps ? ps.BaseObject : fakeBoundParameters?["Connection"]) as SocialOSConnection
                ?? CurrentConnection.Get();
            if (connection == null) return Array.Empty<CompletionResult>();
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            try
            {
                using var cancel = new CancellationTokenSource(Timeout);
                var listing = connection.QuickClient.ListGiftsAsync(limit: 100, cancellationToken: cancel.Token);
                if (!listing.Wait(Timeout)) return Array.Empty<CompletionResult>();
                return listing.Result.Gifts
                    .Where(g => g.GiftId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(g => new CompletionResult(g.GiftId, $"{g.GiftId}  {g.Name}", CompletionResultType.ParameterValue, $"{g.Name} ({g.Tier}, {g.Reward} points)"))
                    .ToList();
            }
            catch (Exception)
            {
                // Completion must never fail the prompt: no suggestions is the answer.
                return Array.Empty<CompletionResult>();
            }
        }
    }

    /// <summary>-Path of Invoke-SocialOSRequest: the routes the module knows, only those of
    /// the -Method given (all when none), quoted since they hold '?', '&amp;' and braces.</summary>
    public sealed class RouteCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var bound = fakeBoundParameters?["Method"];
            var method = (bound is PSObject ps ? ps.BaseObject : bound)?.ToString()?.ToUpperInvariant();
            var prefix = (wordToComplete ?? "").Trim('\'', '"').TrimStart('/');
            return RequestRules.KnownRoutes
                .Where(r => method == null || r.Key == method)
                .GroupBy(r => r.Value, StringComparer.Ordinal)
                .Where(g => g.Key.TrimStart('/').StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(g => new CompletionResult("'" + g.Key + "'", g.Key, CompletionResultType.ParameterValue,
                    string.Join(", ", g.Select(r => r.Key)) + " " + g.Key))
                .ToList();
        }
    }
}
