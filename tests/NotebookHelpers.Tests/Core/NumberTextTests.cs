using NotebookHelpers.Core;
using NotebookHelpers.Visualization;

namespace NotebookHelpers.Tests.Core;

public class NumberTextTests
{
    [Theory]
    [InlineData(0.0, "0.000")]
    [InlineData(0.73149, "0.731")]
    [InlineData(-12.34567, "-12.346")]
    [InlineData(999999.0, "999999.000")]
    [InlineData(1234567.0, "1.23e+06")]
    [InlineData(0.0000123, "1.23e-05")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Format_uses_three_decimals_or_three_significant_digits_for_extreme_magnitudes(double value, string expected)
    {
        Assert.Equal(expected, NumberText.Format(value));
    }

    [Theory]
    [InlineData(120.0, "120")]
    [InlineData(8.5, "8.5")]
    [InlineData(0.85012, "0.85")]
    [InlineData(2.5899, "2.59")]
    [InlineData(0.0000123, "1.23e-05")]
    [InlineData(double.NaN, "NaN")]
    public void Compact_drops_trailing_zeros(double value, string expected)
    {
        Assert.Equal(expected, NumberText.Compact(value));
    }
}
