using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Tests.Notebooks;

public class RunProfileTests
{
    [Theory]
    [InlineData("smoke", "smoke")]
    [InlineData("WORKSHOP", "workshop")]
    [InlineData(" paper ", "paper")]
    public void Parse_accepts_the_three_names_in_any_case(string text, string expected) =>
        Assert.Equal(expected, RunProfile.Parse(text).Name);

    [Fact]
    public void An_unknown_profile_is_an_error_listing_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => RunProfile.Parse("fast"));
        Assert.Contains("'fast'", error.Message);
        Assert.Contains("smoke, workshop, paper", error.Message);
    }

    [Fact]
    public void Without_NBH_PROFILE_a_GPU_gets_workshop_and_a_CPU_smoke()
    {
        Assert.Equal(RunProfile.Workshop, RunProfile.FromEnvironment(null, () => true));
        Assert.Equal(RunProfile.Smoke, RunProfile.FromEnvironment("", () => false));
        Assert.Equal(RunProfile.Paper, RunProfile.FromEnvironment("paper", () => false));
    }

    [Fact]
    public void Choose_picks_the_value_of_the_profile()
    {
        Assert.Equal(2, RunProfile.Smoke.Choose(2, 200, 20_000));
        Assert.Equal(200, RunProfile.Workshop.Choose(2, 200, 20_000));
        Assert.Equal(20_000, RunProfile.Paper.Choose(2, 200, 20_000));
    }
}
