using System;
using System.Threading.Tasks;
using GiftStudio.Pipeline;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>One rule for where the key may go (AuthenticationHandler.EnsureKeyMayGoTo), used by
/// Connect-SocialOS at connect time and by the handler on every request, with one message.</summary>
public sealed class PlainHttpRuleTests
{
    [Theory]
    [InlineData("https://sandbox.socialos.io/v2/")]
    [InlineData("https://10.0.0.1:8443/v2/")]
    [InlineData("http://127.0.0.1:5080/v2/")]
    [InlineData("http://localhost/v2/")]
    [InlineData("http://[::1]:5080/v2/")]
    public void Https_anywhere_and_plain_http_to_loopback_are_accepted(string uri)
    {
        AuthenticationHandler.EnsureKeyMayGoTo(new Uri(uri));
        AuthenticationHandler.EnsureKeyMayGoTo(new Uri(uri), "-BaseUri");
    }

    [Theory]
    [InlineData("http://socialos.example.com/v2/", "http://socialos.example.com")]
    [InlineData("http://10.0.0.1:8080/v2/", "http://10.0.0.1:8080")]
    public void The_refusal_names_the_address_its_source_and_what_is_accepted(string uri, string authority)
    {
        var error = Assert.Throws<SocialOsConfigurationException>(() => AuthenticationHandler.EnsureKeyMayGoTo(new Uri(uri), "SOCIALOS_BASE_URI"));

        Assert.Equal("InsecureTransport", error.ErrorId);
        Assert.Equal($"Refusing to send the API key over plain http to {authority} (from SOCIALOS_BASE_URI): anyone on the network could read it. " +
            "Use https:// (plain http is accepted only for loopback addresses such as a local sandbox).", error.Message);
    }

    [Fact]
    public async Task The_handler_refuses_a_request_with_the_same_message_as_the_connect_time_check()
    {
        using var client = Clients.Create(new Uri("http://socialos.example.invalid:8080/v2"));

        var atRequest = await Assert.ThrowsAsync<SocialOsConfigurationException>(() => client.GetCurrencyAuditAsync("gifts_redeemed", "7d"));
        var atConnect = Assert.Throws<SocialOsConfigurationException>(() => AuthenticationHandler.EnsureKeyMayGoTo(client.BaseUri));

        Assert.Equal(atConnect.ErrorId, atRequest.ErrorId);
        Assert.Equal(atConnect.Message, atRequest.Message);
        Assert.Contains("http://socialos.example.invalid:8080", atRequest.Message);
    }
}
