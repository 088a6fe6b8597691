using NotebookHelpers.Metrics;

namespace NotebookHelpers.Tests.Metrics;

public class MetricSpecTests
{
    [Fact]
    public void Direction_decides_which_value_is_better_and_nan_never_is()
    {
        var higher = new MetricSpec("test-higher", Better.Higher);
        var lower = new MetricSpec("test-lower", Better.Lower);
        Assert.True(higher.IsBetter(2, 1));
        Assert.False(higher.IsBetter(1, 1));
        Assert.True(lower.IsBetter(1, 2));
        Assert.False(lower.IsBetter(double.NaN, 2));
        Assert.False(higher.IsBetter(double.NaN, 2));
        Assert.Equal("↓", lower.Arrow);
    }

    [Fact]
    public void Values_format_with_the_specs_format_and_nan_as_a_dash()
    {
        var spec = new MetricSpec("test-format", Better.Higher, "F2");
        Assert.Equal("0.13", spec.FormatValue(0.125001));
        Assert.Equal("–", spec.FormatValue(double.NaN));
    }

    [Fact]
    public void A_second_spec_under_a_registered_name_is_refused()
    {
        MetricRegistry.Register(new MetricSpec("test-twice", Better.Higher));
        MetricRegistry.Register(new MetricSpec("test-twice", Better.Higher)); // the same one again is harmless
        Assert.Throws<InvalidOperationException>(() => MetricRegistry.Register(new MetricSpec("test-twice", Better.Lower)));
        Assert.Throws<KeyNotFoundException>(() => MetricRegistry.Get("no-such-metric"));
    }
}
