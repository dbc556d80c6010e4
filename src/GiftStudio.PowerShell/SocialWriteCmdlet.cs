using System;
using System.Linq;
using System.Management.Automation;

namespace GiftStudio.PowerShell;

/// <summary>A checked write, ready to send: what ShouldProcess shows, the call, and the
/// ordering key (items with equal keys are never in flight together).</summary>
public sealed class WriteOperation<T>
{
    public WriteOperation(string target, string action, string route, Func<byte[]> body,
        Func<SocialOsClient, string?, System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> send, string? orderingKey = null)
    {
        Target = target;
        Action = action;
        Route = route;
        Body = body;
        Send = send;
        OrderingKey = orderingKey;
    }

    /// <summary>The route and the body exactly as sent: what a derived key is made of
    /// (computed only when a key is derived).</summary>
    public string Route { get; }
    public Func<byte[]> Body { get; }

    public string Target { get; }
    public string Action { get; }
    public Func<SocialOsClient, string?, System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> Send { get; }
    public string? OrderingKey { get; }

    /// <summary>Whether -WhatIf/-Confirm apply (not for a read such as GET).</summary>
    public bool Confirms { get; set; } = true;

    /// <summary>Whether the call carries an idempotency key (a POST); when not, none is taken or derived.</summary>
    public bool TakesKey { get; set; } = true;
}

/// <summary>The POST cmdlets: an -IdempotencyKey that makes a re-run safe. Bound from the
/// pipeline (a CSV column), each row carries its own key; given literally on the command
/// line, it names one logical call, so a second pipeline item with it is an error, never
/// a silent replay of the first item's answer.</summary>
public abstract class SocialWriteCmdlet : SocialCmdlet
{
    private bool _literalKey;
    private int _itemsWithLiteralKey;
    private IdempotencyKeyDeriver? _derivedKeys;

    /// <summary>Derive each item's key from this prefix, the route, the body as sent and the
    /// occurrence of that body in this run, so a restarted run applies each row once.</summary>
    [Parameter]
    public string? IdempotencyKeyPrefix { get; set; }

    /// <summary>1-255 printable ASCII characters; default a fresh key per call.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? IdempotencyKey { get; set; }

    /// <summary>How many requests may be in flight at once while input streams in; results
    /// are still written in input order. Default 4, gentle on the hosted service.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    public const int DefaultThrottleLimit = 4;

    /// <summary>Under -ErrorAction Stop (or that preference) without an explicit
    /// -ThrottleLimit, one at a time: a run must stop at the first failure with nothing
    /// after it already sent.</summary>
    protected int EffectiveThrottleLimit
    {
        get
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit))) return ThrottleLimit;
            var preference = PSValue.BoundOrPreference(this, "ErrorAction", "ErrorActionPreference", out _);
            var stop = string.Equals(preference?.ToString(), nameof(ActionPreference.Stop), StringComparison.OrdinalIgnoreCase);
            return stop ? 1 : ThrottleLimit;
        }
    }

    protected override void BeginProcessing()
    {
        _literalKey = MyInvocation.BoundParameters.ContainsKey(nameof(IdempotencyKey)) && !string.IsNullOrEmpty(IdempotencyKey);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(IdempotencyKeyPrefix)))
        {
            try
            {
                if (_literalKey)
                    throw new SocialOsInputException(ErrorIds.IdempotencyKeyConflict, nameof(IdempotencyKeyPrefix), IdempotencyKeyPrefix,
                        "Give -IdempotencyKey or -IdempotencyKeyPrefix, not both: the prefix derives a key for every item that has none of its own.");
                _derivedKeys = new IdempotencyKeyDeriver(IdempotencyKeyPrefix ?? "");
            }
            catch (SocialOsInputException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, IdempotencyKeyPrefix));
            }
        }
        base.BeginProcessing();
    }

    /// <summary>One pipeline item of a POST cmdlet, the same way for every one: build and
    /// check the request (<paramref name="prepare"/>, which throws on bad input), take its
    /// idempotency key, ask ShouldProcess, then send it with up to -ThrottleLimit in flight.
    /// Any failure is written for this item only, in its place.</summary>
    /// <param name="write">Writes one result (default: WriteObject).</param>
    protected void ProcessWrite<T>(object? target, string activity, Func<WriteOperation<T>> prepare, Action<T>? write = null)
    {
        target = RowOf(target);
        try
        {
            var operation = prepare();
            var key = operation.TakesKey ? KeyForThisItem() ?? _derivedKeys?.Next(operation.Route, operation.Body()) : null;
            if (operation.Confirms && !ShouldProcess(operation.Target, operation.Action)) return;
            Submit((client, cancel) => operation.Send(client, key, cancel), target, EffectiveThrottleLimit, result =>
            {
                if (write != null) write(result);
                else WriteObject(result);
                ReportProgress(activity);
            }, operation.OrderingKey);
        }
        catch (Exception error) when (!(error is PipelineStoppedException))
        {
            SubmitFailure(error, target);
        }
    }

    /// <summary>A row that may simply be sent again carries its idempotency key, so piping
    /// the errors' targets back in re-runs them safely: applied rows replay, the rest apply.
    /// A command-line call gets a row of its own, made of the item's parameters.</summary>
    protected override object? ErrorTarget(Exception error, object? target)
    {
        if (!(error is SocialOsException api) || api.IdempotencyKey == null || api.Recovery != WriteRecovery.RerunAsIs) return target;
        var row = target as PSObject ?? ItemRecord();
        var property = row.Properties[nameof(IdempotencyKey)];
        if (property == null) row.Properties.Add(new PSNoteProperty(nameof(IdempotencyKey), api.IdempotencyKey));
        else if (property.IsSettable) property.Value = api.IdempotencyKey;
        return row;
    }

    /// <summary>The current item as an object of its own parameters (as a CSV row would have them).</summary>
    private PSObject ItemRecord()
    {
        var row = new PSObject();
        foreach (var parameter in MyInvocation.BoundParameters)
        {
            if (NotItemParameters.Contains(parameter.Key)) continue;
            row.Properties.Add(new PSNoteProperty(parameter.Key, Unwrap(parameter.Value) is SwitchParameter s ? s.IsPresent : Unwrap(parameter.Value)));
        }
        return row;
    }

    private static readonly System.Collections.Generic.HashSet<string> NotItemParameters = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        nameof(Connection), nameof(InputObject), nameof(ThrottleLimit), nameof(IdempotencyKey), nameof(IdempotencyKeyPrefix), "WhatIf", "Confirm",
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
    };

    /// <summary>The key for the current item, checked; null for a fresh one.</summary>
    protected string? KeyForThisItem()
    {
        var key = StrictInput.OptionalText(IdempotencyKey);
        if (key == null) return null;
        if (key.Length > 255 || key.Any(c => c < ' ' || c > '~'))
            throw new SocialOsInputException(ErrorIds.InvalidIdempotencyKey, "IdempotencyKey", key,
                $"IdempotencyKey must be 1 to 255 printable ASCII characters; '{key}' is not.");
        if (_literalKey && ++_itemsWithLiteralKey > 1)
            throw new SocialOsInputException(ErrorIds.IdempotencyKeyReused, "IdempotencyKey", key,
                $"IdempotencyKey '{key}' was given once for several pipeline items; it can name only the first. Give each item its own key (e.g. an IdempotencyKey column).");
        return key;
    }
}
