using System;

namespace GiftStudio.Pipeline;

/// <summary>Raised instead of sending when the connection's circuit breaker is open.</summary>
internal sealed class CircuitOpenException : Exception
{
    public CircuitOpenException(CircuitBreaker breaker)
        : base(breaker.OpenReason + (breaker.OpenUntil is DateTime until ? $" until {until:HH:mm:ss} UTC" : "") + " (circuit breaker)")
    {
    }
}
