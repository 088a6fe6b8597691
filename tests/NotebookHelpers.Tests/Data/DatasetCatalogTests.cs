using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Data;

public class DatasetCatalogTests
{
    [Fact]
    public void A_papers_registered_dataset_comes_first_and_the_planned_ones_follow_once_each()
    {
        _ = SalGanCatalog.Salicon;
        var names = DatasetCatalog.All.Select(d => d.Name).ToList();
        Assert.Equal("salicon", names[0]);
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains("camvid", names);
    }

    [Fact]
    public void Registering_a_name_twice_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatasetCatalog.Register(SalGanCatalog.Salicon));
        Assert.Contains("salicon", error.Message);
    }
}
