using System;
using System.Net.Sockets;
using System.Security.Authentication;

namespace GiftStudio.Pipeline;

/// <summary>Tells a failure that happened before the request could leave (nothing reached
/// the server) from one that may have happened after the server got it.</summary>
internal static class NetworkFailure
{
    /// <summary>True only when the request certainly never reached the server: the name did
    /// not resolve, the connection was refused or could not be made, or TLS failed.</summary>
    public static bool CertainlyNotSent(Exception failure)
    {
        for (var e = failure; e != null; e = e.InnerException)
        {
            if (e is AuthenticationException) return true;
            if (e is SocketException socket)
            {
                switch (socket.SocketErrorCode)
                {
                    case SocketError.ConnectionRefused:
                    case SocketError.HostNotFound:
                    case SocketError.HostUnreachable:
                    case SocketError.NetworkUnreachable:
                    case SocketError.NetworkDown:
                    case SocketError.AddressNotAvailable:
                    case SocketError.TryAgain:
                    case SocketError.NoData:
                        return true;
                }
                return false;
            }
        }
        return false;
    }
}

/// <summary>An attempt that got no answer because the whole server went silent (the stall
/// rule, or a timeout during which nothing answered at all): raising the timeout would not help.</summary>
internal sealed class ServerSilentException : TimeoutException
{
    public ServerSilentException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
