using System;
using System.Globalization;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>The client-side input rules (no server involved).</summary>
public sealed class StrictInputTests
{
    // ---- WholeNumber ------------------------------------------------------------------------

    public static TheoryData<object, long> WholeNumbers => new()
    {
        { 500, 500L },
        { 500L, 500L },
        { (short)500, 500L },
        { (byte)200, 200L },
        { 500u, 500L },
        { 500UL, 500L },
        { 500.0, 500L },
        { -7.0, -7L },
        { 500f, 500L },
        { 500m, 500L },
        { 500.000m, 500L },
        { "500", 500L },
        { " 42 ", 42L },
        { "\t42\n", 42L },
        { "-7", -7L },
        { "+7", 7L },
        { "0", 0L },
        { "007", 7L },
        { "9223372036854775807", long.MaxValue },
        { "-9223372036854775808", long.MinValue },
    };

    [Theory]
    [MemberData(nameof(WholeNumbers))]
    public void WholeNumber_accepts(object value, long expected)
    {
        Assert.Equal(expected, StrictInput.WholeNumber(value, "Reward"));
    }

    public static TheoryData<object> NotWholeNumbers => new()
    {
        "501.5", "500.0", "1,5", "1,500", "1 500", "0x1F4", "0X1F4", "5e2", "5E2", "1_000", "abc", "500abc", "--5", "+-5", "-", "+",
        "９", "٥٠٠", "9223372036854775808", "∞", "NaN",
        501.5, 0.1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, 1.5f, float.NaN, 500.5m,
        true, false, 'x', DateTime.UnixEpoch, new object(), new[] { 500 }, ulong.MaxValue,
    };

    [Theory]
    [MemberData(nameof(NotWholeNumbers))]
    public void WholeNumber_rejects(object value)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.WholeNumber(value, "Reward"));

        Assert.Equal("InvalidReward", error.ErrorId);
        Assert.Equal("Reward", error.ParamName);
        Assert.Contains("Reward", error.Message);
        Assert.DoesNotContain("(Parameter", error.Message);
        Assert.Same(value, error.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void WholeNumber_missing(object? value)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.WholeNumber(value, "Reward"));

        Assert.Equal("MissingReward", error.ErrorId);
        Assert.Equal("Reward", error.ParamName);
    }

    [Fact]
    public void WholeNumber_names_the_parameter_in_the_error_id()
    {
        Assert.Equal("InvalidValue", Assert.Throws<SocialOsInputException>(() => StrictInput.WholeNumber("1.5", "Value")).ErrorId);
        Assert.Equal("MissingValue", Assert.Throws<SocialOsInputException>(() => StrictInput.WholeNumber(null, "Value")).ErrorId);
    }

    // ---- Boolean ----------------------------------------------------------------------------

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("yes", true)]
    [InlineData("YES", true)]
    [InlineData("Yes", true)]
    [InlineData("1", true)]
    [InlineData(" true ", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("no", false)]
    [InlineData("No", false)]
    [InlineData("NO", false)]
    [InlineData("0", false)]
    public void Boolean_accepts_text(string text, bool expected)
    {
        Assert.Equal(expected, StrictInput.Boolean(text, "Badge"));
    }

    [Fact]
    public void Boolean_accepts_booleans_and_0_or_1()
    {
        Assert.True(StrictInput.Boolean(true, "Badge"));
        Assert.False(StrictInput.Boolean(false, "Badge"));
        Assert.True(StrictInput.Boolean(1, "Badge"));
        Assert.False(StrictInput.Boolean(0, "Badge"));
        Assert.True(StrictInput.Boolean(1L, "Badge"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Boolean_empty_is_not_given(string? text)
    {
        Assert.Null(StrictInput.Boolean(text, "Badge"));
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("y")]
    [InlineData("n")]
    [InlineData("on")]
    [InlineData("2")]
    [InlineData("truee")]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(1.0)]
    public void Boolean_rejects(object value)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.Boolean(value, "Badge"));

        Assert.Equal("InvalidBadge", error.ErrorId);
        Assert.Contains("Badge", error.Message);
    }

    // ---- UtcDateTime ------------------------------------------------------------------------

    private static DateTime LocalToUtc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified), TimeZoneInfo.Local);

    [Fact]
    public void The_local_zone_fallback_is_in_effect_when_the_test_set_it()
    {
        // See LocalZone: on a UTC machine the local-time tests below run in UTC+05:30.
        if (Environment.GetEnvironmentVariable("TZ") == LocalZone.FallbackZone)
            Assert.Equal(TimeSpan.FromHours(5.5), TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void UtcDateTime_with_z_is_exact()
    {
        var value = StrictInput.UtcDateTime("2026-03-20T00:00:00Z", "Expires");

        Assert.Equal(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), value);
        Assert.Equal(DateTimeKind.Utc, value!.Value.Kind);
    }

    [Theory]
    [InlineData("2026-03-20T02:00:00+02:00")]
    [InlineData("2026-03-19T19:00:00-05:00")]
    [InlineData("2026-03-20T05:30:00+05:30")]
    [InlineData("2026-03-20T00:00:00.000Z")]
    [InlineData("2026-03-20T00:00Z")]
    [InlineData(" 2026-03-20T00:00:00Z ")]
    public void UtcDateTime_with_an_offset_is_exact(string text)
    {
        var value = StrictInput.UtcDateTime(text, "Expires");

        Assert.Equal(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), value);
        Assert.Equal(DateTimeKind.Utc, value!.Value.Kind);
    }

    [Fact]
    public void UtcDateTime_a_date_alone_is_local_midnight()
    {
        var value = StrictInput.UtcDateTime("2026-03-20", "Expires");

        Assert.Equal(LocalToUtc(2026, 3, 20), value);
        Assert.Equal(DateTimeKind.Utc, value!.Value.Kind);
    }

    [Theory]
    [InlineData("2026-03-20T08:30", 8, 30, 0)]
    [InlineData("2026-03-20T08:30:15", 8, 30, 15)]
    [InlineData("2026-03-20 08:30:15", 8, 30, 15)]
    public void UtcDateTime_without_an_offset_is_local(string text, int hour, int minute, int second)
    {
        Assert.Equal(LocalToUtc(2026, 3, 20, hour, minute, second), StrictInput.UtcDateTime(text, "Expires"));
    }

    [Fact]
    public void UtcDateTime_local_and_unspecified_datetimes_are_local()
    {
        var local = new DateTime(2026, 3, 20, 9, 0, 0, DateTimeKind.Local);
        var unspecified = new DateTime(2026, 3, 20, 9, 0, 0, DateTimeKind.Unspecified);
        var utc = new DateTime(2026, 3, 20, 9, 0, 0, DateTimeKind.Utc);

        Assert.Equal(LocalToUtc(2026, 3, 20, 9), StrictInput.UtcDateTime(local, "Expires"));
        Assert.Equal(LocalToUtc(2026, 3, 20, 9), StrictInput.UtcDateTime(unspecified, "Expires"));
        Assert.Equal(DateTimeKind.Utc, StrictInput.UtcDateTime(unspecified, "Expires")!.Value.Kind);
        Assert.Equal(utc, StrictInput.UtcDateTime(utc, "Expires"));
        Assert.Equal(DateTimeKind.Utc, StrictInput.UtcDateTime(utc, "Expires")!.Value.Kind);
    }

    [Fact]
    public void UtcDateTime_a_datetimeoffset_is_exact()
    {
        var value = StrictInput.UtcDateTime(new DateTimeOffset(2026, 3, 20, 2, 0, 0, TimeSpan.FromHours(2)), "Expires");

        Assert.Equal(new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), value);
        Assert.Equal(DateTimeKind.Utc, value!.Value.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void UtcDateTime_empty_is_not_given(string? text)
    {
        Assert.Null(StrictInput.UtcDateTime(text, "Expires"));
    }

    [Theory]
    [InlineData("03/04/2026")]
    [InlineData("04.03.2026")]
    [InlineData("20 March 2026")]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("2026-03-20T25:00:00Z")]
    [InlineData("20260320")]
    [InlineData("tomorrow")]
    [InlineData("2026-03-20T00:00:00+0200")]
    public void UtcDateTime_rejects(string text)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.UtcDateTime(text, "Expires"));

        Assert.Equal("InvalidExpires", error.ErrorId);
        Assert.Contains("Expires", error.Message);
    }

    [Fact]
    public void UtcDateTime_rejects_03_04_2026_under_a_month_first_or_day_first_culture()
    {
        foreach (var culture in new[] { "en-US", "de-DE", "fr-FR" })
        {
            WithCulture(culture, () =>
                Assert.Equal("InvalidExpires", Assert.Throws<SocialOsInputException>(() => StrictInput.UtcDateTime("03/04/2026", "Expires")).ErrorId));
        }
    }

    [Theory]
    [InlineData("en-US", "12/25/2026 7:00:00 PM +00:00", 19)]
    [InlineData("de-DE", "25.12.2026 19:00:00 +01:00", 18)]
    [InlineData("en-GB", "25/12/2026 19:00:00 -02:00", 21)]
    public void UtcDateTime_reads_the_current_cultures_general_pattern_with_an_offset(string culture, string text, int utcHour)
    {
        WithCulture(culture, () =>
            Assert.Equal(new DateTime(2026, 12, 25, utcHour, 0, 0, DateTimeKind.Utc), StrictInput.UtcDateTime(text, "Expires")));
    }

    [Fact]
    public void UtcDateTime_reads_what_a_DateTimeOffset_writes_in_the_current_culture()
    {
        var instant = new DateTimeOffset(2026, 12, 25, 19, 0, 0, TimeSpan.Zero);
        foreach (var culture in new[] { "en-US", "de-DE", "fr-FR", "ja-JP", "en-GB" })
        {
            WithCulture(culture, () => Assert.Equal(instant.UtcDateTime, StrictInput.UtcDateTime(instant.ToString(), "Expires")));
        }
    }

    [Theory]
    [InlineData("en-US", "12/25/2026 7:00:00 PM")]     // the pattern without its offset: local, ambiguous
    [InlineData("de-DE", "12/25/2026 7:00:00 PM +00:00")] // another culture's pattern
    [InlineData("en-US", "25.12.2026 19:00:00 +00:00")]
    public void UtcDateTime_rejects_culture_text_without_an_offset_or_of_another_culture(string culture, string text)
    {
        WithCulture(culture, () =>
            Assert.Equal("InvalidExpires", Assert.Throws<SocialOsInputException>(() => StrictInput.UtcDateTime(text, "Expires")).ErrorId));
    }

    [Fact]
    public void UtcDateTime_rejects_other_types()
    {
        Assert.Equal("InvalidExpires", Assert.Throws<SocialOsInputException>(() => StrictInput.UtcDateTime(20260320, "Expires")).ErrorId);
        Assert.Equal("InvalidExpires", Assert.Throws<SocialOsInputException>(() => StrictInput.UtcDateTime(true, "Expires")).ErrorId);
    }

    // ---- Tier -------------------------------------------------------------------------------

    [Theory]
    [InlineData("GOLD", "gold")]
    [InlineData("gold", "gold")]
    [InlineData("Gold", "gold")]
    [InlineData(" silver ", "silver")]
    [InlineData("BRONZE", "bronze")]
    [InlineData("PLATINUM", "platinum")]
    public void Tier_is_matched_case_insensitively_and_returned_in_lower_case(string text, string expected)
    {
        Assert.Equal(expected, StrictInput.Tier(text));
    }

    [Fact]
    public void Tier_matches_a_dotted_I_under_the_turkish_culture()
    {
        WithCulture("tr-TR", () =>
        {
            // The culture is really Turkish here: its lower-case I is a dotless ı.
            Assert.Equal("platınum", "PLATINUM".ToLower(CultureInfo.CurrentCulture));
            Assert.Equal("platinum", StrictInput.Tier("PLATINUM"));
            Assert.Equal("silver", StrictInput.Tier("SILVER"));
            Assert.Equal("platinum", StrictInput.Tier("Platinum"));
            Assert.Equal("7d", StrictInput.Window("7D"));
            Assert.Equal("24h", StrictInput.Window("24H"));
            Assert.True(StrictInput.Boolean("YES", "Badge"));
            Assert.Equal(500, StrictInput.WholeNumber("500", "Reward"));
        });
    }

    [Theory]
    [InlineData("diamond")]
    [InlineData("golden")]
    [InlineData("g old")]
    [InlineData("platınum")]
    public void Tier_rejects(string text)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.Tier(text));

        Assert.Equal("InvalidTier", error.ErrorId);
        Assert.Contains("bronze, silver, gold, platinum", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Tier_missing(string? text)
    {
        Assert.Equal("MissingTier", Assert.Throws<SocialOsInputException>(() => StrictInput.Tier(text)).ErrorId);
    }

    // ---- Window -----------------------------------------------------------------------------

    [Theory]
    [InlineData("7d", "7d")]
    [InlineData("24H", "24h")]
    [InlineData("24h", "24h")]
    [InlineData("365D", "365d")]
    [InlineData(" 1h ", "1h")]
    public void Window_accepts(string text, string expected)
    {
        Assert.Equal(expected, StrictInput.Window(text));
    }

    [Theory]
    [InlineData("7w")]
    [InlineData("d")]
    [InlineData("h")]
    [InlineData("-1d")]
    [InlineData("+1d")]
    [InlineData("7.5d")]
    [InlineData("7")]
    [InlineData("7 d")]
    [InlineData("7dd")]
    [InlineData("d7")]
    [InlineData("٧d")]
    [InlineData("1e2d")]
    public void Window_rejects(string text)
    {
        var error = Assert.Throws<SocialOsInputException>(() => StrictInput.Window(text));

        Assert.Equal("InvalidWindow", error.ErrorId);
        Assert.Contains("Window", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Window_missing(string? text)
    {
        Assert.Equal("MissingWindow", Assert.Throws<SocialOsInputException>(() => StrictInput.Window(text)).ErrorId);
    }

    private static void WithCulture(string name, Action action)
    {
        var culture = CultureInfo.CurrentCulture;
        var uiCulture = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
            action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }
}
