using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Data;

public class DatasetCatalogTests
{
    [Fact]
    public void The_papers_registered_datasets_come_first_and_the_planned_ones_follow_once_each()
    {
        _ = SalGanCatalog.Salicon;
        var names = DatasetCatalog.All.Select(d => d.Name).ToList();
        // Module initialisers run in source-file order (Papers/Glcic before Papers/SalGan), so no paper is asked to be first.
        string[] registered = ["salicon", "voc2012", "camvid", "places2", "celebahq", "dagm2007"];
        Assert.All(registered, name => Assert.Contains(name, names));
        Assert.True(registered.Max(names.IndexOf) < names.IndexOf("synthia"), string.Join(", ", names));
        Assert.Equal(names.Distinct().Count(), names.Count);
    }

    [Fact]
    public void Registering_a_name_twice_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatasetCatalog.Register(SalGanCatalog.Salicon));
        Assert.Contains("salicon", error.Message);
    }
}
