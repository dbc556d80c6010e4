using System;
using System.Security;

namespace GiftStudio.PowerShell;

/// <summary>Where a connection's settings come from. Explicit parameters win over the
/// environment variables that runbooks use (SOCIALOS_API_KEY, SOCIALOS_BASE_URI).</summary>
internal static class ConnectionFactory
{
    public const string ApiKeyVariable = "SOCIALOS_API_KEY";
    public const string BaseUriVariable = "SOCIALOS_BASE_URI";

    /// <summary>A connection from the environment alone, or null when no key is set there.</summary>
    public static SocialOSConnection? FromEnvironment(TimeSpan? timeout)
    {
        var key = EnvironmentKey();
        if (key == null) return null;
        using (key)
        {
            return new SocialOSConnection(BaseUri(null), key, "Environment", timeout ?? SocialOsClientOptions.DefaultTimeout);
        }
    }

    public static SecureString? EnvironmentKey()
    {
        var text = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var key = new SecureString();
        foreach (var c in text!.Trim()) key.AppendChar(c);
        return key;
    }

    /// <summary>The parameter, else SOCIALOS_BASE_URI, else the hosted default.</summary>
    public static Uri BaseUri(string? parameter)
    {
        var text = !string.IsNullOrWhiteSpace(parameter) ? parameter : Environment.GetEnvironmentVariable(BaseUriVariable);
        if (string.IsNullOrWhiteSpace(text)) return SocialOsClientOptions.DefaultBaseUri;
        var source = !string.IsNullOrWhiteSpace(parameter) ? "-BaseUri" : BaseUriVariable;
        if (!Uri.TryCreate(text!.Trim(), UriKind.Absolute, out var uri))
            throw new SocialOsInputException(ErrorIds.InvalidBaseUri, "BaseUri", text, $"{source} '{text}' is not an absolute URI such as https://sandbox.socialos.io/v2.");
        try
        {
            uri = SocialOsClientOptions.NormalizeBaseUri(uri);
        }
        catch (ArgumentException e)
        {
            throw new SocialOsInputException(ErrorIds.InvalidBaseUri, "BaseUri", text, $"{source}: {e.Message}");
        }
        // Refused at connect time with the same rule and message as every request.
        Pipeline.AuthenticationHandler.EnsureKeyMayGoTo(uri, source);
        return uri;
    }
}
