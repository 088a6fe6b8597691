using NotebookHelpers.Data;
using NotebookHelpers.Tests.Imaging;

namespace NotebookHelpers.Tests.Data;

/// <summary>Tests that change process-wide environment variables run alone, never beside another test.</summary>
[CollectionDefinition(nameof(EnvironmentVariables), DisableParallelization = true)]
public sealed class EnvironmentVariables;

[Collection(nameof(EnvironmentVariables))]
public sealed class DatasetLocationTests : IDisposable
{
    private const string Name = "nbh-test.set";
    private const string OwnVariable = "NBH_DATA_NBH_TEST_SET";

    private readonly TempFolder folder = new();
    private readonly Dictionary<string, string?> saved = new()
    {
        [OwnVariable] = Environment.GetEnvironmentVariable(OwnVariable),
        [DatasetLocation.DataDirVariable] = Environment.GetEnvironmentVariable(DatasetLocation.DataDirVariable),
    };

    public DatasetLocationTests()
    {
        foreach (var variable in saved.Keys)
            Environment.SetEnvironmentVariable(variable, null);
    }

    public void Dispose()
    {
        foreach (var (variable, value) in saved)
            Environment.SetEnvironmentVariable(variable, value);
        folder.Dispose();
    }

    [Fact]
    public void Variable_name_is_upper_case_with_other_characters_as_underscores()
    {
        Assert.Equal("NBH_DATA_SALICON", DatasetLocation.VariableFor("salicon"));
        Assert.Equal("NBH_DATA_COCO_STUFF_2017", DatasetLocation.VariableFor("coco-stuff 2017"));
        Assert.Equal(OwnVariable, DatasetLocation.VariableFor(Name));
    }

    [Fact]
    public void The_datasets_own_variable_wins_over_NBH_DATA_DIR()
    {
        Environment.SetEnvironmentVariable(OwnVariable, folder.File("own"));
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, folder.File("all"));

        Assert.Equal(folder.File("own"), DatasetLocation.Resolve(Name));
    }

    [Fact]
    public void NBH_DATA_DIR_holds_one_folder_per_dataset()
    {
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, folder.File("all"));

        Assert.Equal(folder.File("all", Name), DatasetLocation.Resolve(Name));
    }

    [Fact]
    public void Without_variables_datasets_live_in_the_repository_data_folder()
    {
        var root = NotebookHelpers.Core.RepoPaths.TryFindRoot();

        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "NotebookHelpers.sln")));
        Assert.Equal(Path.Combine(root, "data", Name), DatasetLocation.Resolve(Name));
    }

    [Fact]
    public void Require_on_a_missing_folder_names_the_folder_the_script_and_the_variable()
    {
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, folder.Path);

        var error = Assert.Throws<DatasetNotFoundException>(() => DatasetLocation.Require(Name, "data-scripts/test-set.sh"));

        Assert.IsAssignableFrom<DirectoryNotFoundException>(error);
        Assert.Equal(
            $"Dataset '{Name}' not found at {folder.File(Name)}. Run data-scripts/test-set.sh to download it, or set {OwnVariable} to its folder.",
            error.Message);
        Assert.False(DatasetLocation.Exists(Name));
    }

    [Fact]
    public void Require_on_an_existing_folder_returns_it()
    {
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, folder.Path);
        Directory.CreateDirectory(folder.File(Name));

        Assert.Equal(folder.File(Name), DatasetLocation.Require(Name, "data-scripts/test-set.sh"));
        Assert.True(DatasetLocation.Exists(Name));
    }
}
