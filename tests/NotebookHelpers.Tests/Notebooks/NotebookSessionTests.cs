using NotebookHelpers.Notebooks;
using NotebookHelpers.Tests.Data;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Notebooks;

/// <summary>What a notebook's second cell sets up, under the variables the runner sets.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class NotebookSessionTests : IDisposable
{
    readonly TempFolder folder = new();
    readonly string? profile = Environment.GetEnvironmentVariable(RunProfile.Variable);
    readonly string? results = Environment.GetEnvironmentVariable(ResultsRecord.FolderVariable);

    [Fact]
    public void Start_reads_the_profile_seeds_libtorch_says_what_runs_and_records_into_the_runs_folder()
    {
        Environment.SetEnvironmentVariable(RunProfile.Variable, "workshop");
        Environment.SetEnvironmentVariable(ResultsRecord.FolderVariable, folder.Path);
        var console = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        NotebookSession session;
        Tensor drawn;
        try
        {
            session = NotebookSession.Start("07-test", seed: 3);
            drawn = rand(4);
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.Same(RunProfile.Workshop, session.Profile);
        Assert.StartsWith("07-test · profile workshop: ", output.ToString());
        manual_seed(3);
        Assert.True(rand(4).eq(drawn).all().item<bool>(), "Start(seed: 3) did not seed libtorch with 3");

        session.Record("system", "data", "CC", 0.5, paper: 0.6);
        var saved = Assert.Single(ResultsRecord.Read(Path.Combine(folder.Path, "07-test.json")));
        Assert.Equal(("system", "CC", 0.5, 0.6, "workshop"), (saved.System, saved.Metric, saved.Value, saved.Paper, saved.Profile));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(RunProfile.Variable, profile);
        Environment.SetEnvironmentVariable(ResultsRecord.FolderVariable, results);
        folder.Dispose();
    }
}
