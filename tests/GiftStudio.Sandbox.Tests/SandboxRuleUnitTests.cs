using System;
using System.Collections.Generic;
using System.Linq;
using GiftStudio.Sandbox.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>The tier thresholds have one source, configuration: the shipped appsettings.json
/// gives the contract's defaults, and nothing in the code stands in for a missing value.</summary>
public sealed class TierConfigurationUnitTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void The_shipped_appsettings_json_gives_the_default_thresholds()
    {
        var shipped = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: false).Build();

        var tiers = TierRules.FromConfiguration(shipped);

        var expected = new (long Score, string Tier)[]
        {
            (0, "bronze"), (249, "bronze"), (250, "silver"), (499, "silver"), (500, "gold"), (999, "gold"), (1000, "platinum"),
        };
        Assert.Equal(expected.Select(e => e.Tier), expected.Select(e => tiers.TierFor(e.Score)));
    }

    [Theory]
    [InlineData("bronze")]
    [InlineData("silver")]
    [InlineData("gold")]
    [InlineData("platinum")]
    public void A_missing_threshold_is_refused_naming_it(string missing)
    {
        var values = new Dictionary<string, string?> { ["Tiers:bronze"] = "0", ["Tiers:silver"] = "10", ["Tiers:gold"] = "20", ["Tiers:platinum"] = "30" };
        values.Remove("Tiers:" + missing);

        var refused = Assert.Throws<ArgumentException>(() => TierRules.FromConfiguration(Configuration(values)));

        Assert.Contains($"Tiers:{missing} is not configured", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_tiers_section_at_all_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => TierRules.FromConfiguration(Configuration(new Dictionary<string, string?>())));

        Assert.Contains("is not configured", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_threshold_that_is_not_a_whole_number_is_refused_naming_it()
    {
        var values = new Dictionary<string, string?> { ["Tiers:bronze"] = "0", ["Tiers:silver"] = "ten", ["Tiers:gold"] = "20", ["Tiers:platinum"] = "30" };

        var refused = Assert.Throws<ArgumentException>(() => TierRules.FromConfiguration(Configuration(values)));

        Assert.Equal("Tiers:silver 'ten' is not a whole number.", refused.Message);
    }

    [Fact]
    public void Configured_thresholds_are_the_ones_used()
    {
        var values = new Dictionary<string, string?> { ["Tiers:bronze"] = "0", ["Tiers:silver"] = "10", ["Tiers:gold"] = "20", ["Tiers:platinum"] = "30" };

        var tiers = TierRules.FromConfiguration(Configuration(values));

        Assert.Equal(new[] { "bronze", "silver", "silver", "gold", "platinum" }, new long[] { 9, 10, 19, 20, 30 }.Select(tiers.TierFor));
    }
}

/// <summary>The sandbox's clock takes its time from a <see cref="TimeProvider"/>: a test moves it
/// instead of waiting. A manual clock (--clock manual) moves only when told.</summary>
public sealed class ClockUnitTests
{
    private static readonly DateTimeOffset Start = new(2026, 2, 20, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_clock_moves_with_its_time_provider_from_now()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new Clock(Start, time: time);
        Assert.Equal(Start, clock.Now);

        time.Advance(TimeSpan.FromMinutes(90));

        Assert.Equal(Start.AddMinutes(90), clock.Now);
        Assert.Equal(TimeSpan.FromMinutes(90), clock.Elapsed);
        Assert.Equal(Start.AddMinutes(90).ToUnixTimeMilliseconds(), clock.NowMs);
    }

    [Fact]
    public void Without_now_a_clock_starts_at_its_time_providers_time()
    {
        var time = new FakeTimeProvider(Start);

        var clock = new Clock(null, time: time);

        Assert.Equal(Start, clock.Start);
        Assert.Equal(Start, clock.Now);
    }

    [Fact]
    public void A_manual_clock_moves_only_when_advanced()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new Clock(Start, manual: true, time: time);

        time.Advance(TimeSpan.FromHours(5));
        Assert.Equal(Start, clock.Now);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Start.AddSeconds(30), clock.Now);
    }

    [Fact]
    public void Only_a_manual_clock_can_be_advanced_by_hand()
    {
        var clock = new Clock(Start, time: new FakeTimeProvider(Start));

        Assert.Throws<InvalidOperationException>(() => clock.Advance(TimeSpan.FromSeconds(1)));
    }
}

/// <summary>The one prepared-statement cache of the storage (SandboxStore, Database and Seeder
/// all use it): one command per SQL text and connection, its values replaced on each use.</summary>
public sealed class StatementCacheUnitTests
{
    private static SqliteConnection Open()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }

    [Fact]
    public void One_command_per_sql_text_and_connection_with_fresh_values_each_time()
    {
        using var connection = Open();

        var first = Statements.Command(connection, "SELECT $a + $b;", ("$a", 1), ("$b", 2));
        Assert.Equal(3L, first.ExecuteScalar());
        var again = Statements.Command(connection, "SELECT $a + $b;", ("$a", 10), ("$b", 20));

        Assert.Same(first, again);
        Assert.Equal(30L, again.ExecuteScalar());
        Assert.Equal(2, again.Parameters.Count);
        Assert.NotSame(first, Statements.Command(connection, "SELECT $a - $b;", ("$a", 1), ("$b", 2)));
    }

    [Fact]
    public void Each_connection_has_its_own_commands()
    {
        using var one = Open();
        using var two = Open();

        var onOne = Statements.Command(one, "SELECT 1;");
        var onTwo = Statements.Command(two, "SELECT 1;");

        Assert.NotSame(onOne, onTwo);
        Assert.Same(two, onTwo.Connection);
    }

    [Fact]
    public void A_null_value_is_sent_as_sql_null()
    {
        using var connection = Open();

        Assert.Equal(DBNull.Value, Statements.Command(connection, "SELECT $v;", ("$v", null)).ExecuteScalar());
    }
}

/// <summary>Query parameters are read and checked in RequestValidation.cs, like bodies: defaults, and
/// every bad parameter of a request in one problem.</summary>
public sealed class QueryRuleUnitTests
{
    private static QueryCollection Query(params (string Name, string[] Values)[] parameters) =>
        new(parameters.ToDictionary(p => p.Name, p => new StringValues(p.Values)));

    private static readonly DateTimeOffset Now = new(2026, 2, 20, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_gift_list_without_parameters_is_the_first_page_of_100_unfiltered()
    {
        Assert.Equal(new GiftQuery(null, null, 100, 0), RequestValidation.ReadGiftQuery(Query()));
    }

    [Fact]
    public void A_gift_list_reads_tier_case_insensitively_and_active_limit_and_cursor()
    {
        var cursor = GiftCursor.Encode(42);

        var query = RequestValidation.ReadGiftQuery(Query(("tier", new[] { "GOLD" }), ("active", new[] { "false" }), ("limit", new[] { "7" }), ("cursor", new[] { cursor })));

        Assert.Equal(new GiftQuery(2, false, 7, 42), query);
    }

    [Fact]
    public void A_parameter_given_twice_is_refused_with_the_others()
    {
        var refused = Assert.Throws<ApiProblem>(() => RequestValidation.ReadGiftQuery(Query(("limit", new[] { "1", "2" }), ("active", new[] { "yes" }))));

        Assert.Equal(400, refused.Status);
        Assert.Equal(new[] { "active", "limit" }, refused.Errors!.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("must be given only once", Assert.Single(refused.Errors["limit"]));
    }

    [Fact]
    public void Analytics_defaults_are_a_7d_window_and_a_leaderboard_of_10()
    {
        var currency = Assert.IsType<CurrencyQuery>(RequestValidation.ReadAnalyticsQuery(Query(("type", new[] { "currency" }), ("metric", new[] { "points_awarded" })), Now));
        Assert.Equal("points_awarded", currency.Metric.Name);
        Assert.Equal("7d", currency.Window.Text);
        Assert.Equal(new DateOnly(2026, 2, 14), currency.Window.FirstDay);

        var board = Assert.IsType<LeaderboardQuery>(RequestValidation.ReadAnalyticsQuery(Query(("type", new[] { "leaderboard" })), Now));
        Assert.Equal(10, board.Limit);
    }

    [Fact]
    public void An_unknown_analytics_type_names_type()
    {
        var refused = Assert.Throws<ApiProblem>(() => RequestValidation.ReadAnalyticsQuery(Query(("type", new[] { "heatmap" })), Now));

        Assert.Equal("type must be currency or leaderboard", refused.Detail);
    }

    [Fact]
    public void A_score_read_checks_the_user_id_and_the_metric_together()
    {
        Assert.Equal("alice.kred", RequestValidation.ReadScoreQuery("alice.kred", Query()));

        var refused = Assert.Throws<ApiProblem>(() => RequestValidation.ReadScoreQuery("a b", Query(("metric", new[] { "xp" }))));

        Assert.Equal(new[] { "userId", "metric" }, refused.Errors!.Keys);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("31622401")]
    [InlineData("soon")]
    public void A_clock_advance_outside_0_to_366_days_is_refused(string advance)
    {
        var refused = Assert.Throws<ApiProblem>(() => RequestValidation.ReadClockAdvance(Query(("advance", new[] { advance }))));

        Assert.Equal("advance", Assert.Single(refused.Errors!.Keys));
    }

    [Fact]
    public void A_clock_advance_is_read_in_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(1.5), RequestValidation.ReadClockAdvance(Query(("advance", new[] { "1.5" }))));
    }
}
