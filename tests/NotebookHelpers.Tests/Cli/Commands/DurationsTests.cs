using NotebookHelpers.Cli.Commands;

namespace NotebookHelpers.Tests.Cli.Commands;

public class DurationsTests
{
    [Theory]
    [InlineData("900", 900)]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1.5h", 5400)]
    public void Parse_reads_seconds_minutes_and_hours(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("ten minutes")]
    [InlineData("5d")]
    public void Parse_refuses_what_is_not_a_positive_duration(string text)
    {
        var error = Assert.Throws<FormatException>(() => Durations.Parse(text));
        Assert.Contains("15m", error.Message);
    }
}
