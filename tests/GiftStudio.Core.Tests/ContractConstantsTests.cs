using System;
using GiftStudio.Sandbox;
using GiftStudio.Sandbox.Storage;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The client and the sandbox keep their own copies of the contract's constants on
/// purpose (each checks the other); this says when the copies drift apart.</summary>
public sealed class ContractConstantsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Both_sides_name_the_same_tiers_in_the_same_order()
    {
        Assert.Equal(TierRules.Names, StrictInput.Tiers);
        Assert.Equal(TierRules.NamesText, string.Join(", ", StrictInput.Tiers));
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("24h")]
    [InlineData("8760h")]
    [InlineData("1d")]
    [InlineData("7d")]
    [InlineData("30d")]
    [InlineData("365d")]
    public void A_window_the_sandbox_accepts_the_client_accepts(string window)
    {
        RequestValidation.ReadWindow(window, Now);
        Assert.Equal(window, StrictInput.Window(window));
    }

    [Theory]
    [InlineData("7w")]
    [InlineData("7.5d")]
    [InlineData("d")]
    [InlineData("h")]
    [InlineData("-7d")]
    [InlineData("7 d")]
    [InlineData("")]
    public void A_window_form_the_client_refuses_the_sandbox_refuses_too(string window)
    {
        Assert.Throws<SocialOsInputException>(() => StrictInput.Window(window));
        Assert.Throws<ApiProblem>(() => RequestValidation.ReadWindow(window, Now));
    }

    [Fact]
    public void Gift_ids_the_sandbox_makes_are_valid_there_and_reach_it_unchanged_through_the_client()
    {
        var random = new Random(20261129);
        var baseUri = new Uri("http://127.0.0.1:5000/v2/");
        for (var i = 0; i < 1000; i++)
        {
            var id = GiftIds.New(random.Next);
            RequestValidation.ValidGiftId(id, "giftId");
            Assert.StartsWith("gift_", id, StringComparison.Ordinal);
            var uri = RequestRules.Resolve(baseUri, "gamification/gifts/" + Uri.EscapeDataString(id));
            Assert.Equal("/v2/gamification/gifts/" + id, uri.AbsolutePath);
        }
    }
}
