using System;
using Xunit;

namespace GiftStudio.Core.Tests;

/// <summary>When a long pipeline reports progress and what it says, on a clock the test moves.</summary>
public sealed class ProgressMeterTests
{
    [Fact]
    public void The_first_item_reports_at_once_then_at_most_once_per_interval()
    {
        var now = TimeSpan.Zero;
        var meter = new ProgressMeter(TimeSpan.FromMilliseconds(250), () => now);

        Assert.True(meter.Advance());
        now = TimeSpan.FromMilliseconds(100);
        Assert.False(meter.Advance());
        now = TimeSpan.FromMilliseconds(249);
        Assert.False(meter.Advance());
        now = TimeSpan.FromMilliseconds(250);
        Assert.True(meter.Advance());
        now = TimeSpan.FromMilliseconds(400);
        Assert.False(meter.Advance());
        Assert.Equal(5, meter.Done);
        Assert.True(meter.Reported);
    }

    [Fact]
    public void It_says_the_count_the_rate_and_what_is_left_when_the_total_is_known()
    {
        var now = TimeSpan.Zero;
        var meter = new ProgressMeter(TimeSpan.FromMilliseconds(250), () => now) { Total = 10 };
        meter.Advance();
        Assert.Equal("1 done, 9 to go", meter.Describe());
        for (var i = 0; i < 3; i++) meter.Advance();
        now = TimeSpan.FromSeconds(2);
        Assert.Equal("4 done, 2/s, 6 to go", meter.Describe());
        Assert.Equal(40, meter.PercentComplete);
    }

    [Fact]
    public void Without_a_total_there_is_no_percentage_and_no_remaining_count()
    {
        var now = TimeSpan.FromSeconds(1);
        var meter = new ProgressMeter(TimeSpan.FromMilliseconds(250), () => now);
        meter.Advance();
        meter.Advance();
        Assert.Equal(-1, meter.PercentComplete);
        Assert.Equal("2 done, 2/s", meter.Describe());
    }
}
