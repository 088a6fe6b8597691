using NotebookHelpers.Core;
using TorchSharp;

namespace NotebookHelpers.Notebooks;

/// <summary>
/// What the second cell of every notebook sets up: the run profile, the device, a seed and the results record.
/// <code>var session = NotebookSession.Start("00-getting-started");</code>
/// </summary>
public sealed class NotebookSession
{
    /// <summary>Set by the runner to the notebook's file name, so results land under the right name.</summary>
    public const string NotebookVariable = "NBH_NOTEBOOK";

    NotebookSession(string notebook, RunProfile profile, int seed)
    {
        Notebook = notebook;
        Profile = profile;
        Seed = seed;
        Results = new ResultsRecord(notebook, profile);
    }

    public string Notebook { get; }
    public RunProfile Profile { get; }
    public int Seed { get; }
    public torch.Device Device => TorchRuntime.Device;
    public ResultsRecord Results { get; }

    /// <summary>Reads the profile, seeds libtorch and prints one line saying what this run is.</summary>
    public static NotebookSession Start(string notebook, int seed = 0)
    {
        var profile = RunProfile.Current;
        TorchRuntime.Seed(seed);
        var session = new NotebookSession(notebook, profile, seed);
        Console.WriteLine($"{notebook} · profile {profile.Name}: {profile.Description}");
        Console.WriteLine(TorchRuntime.Describe());
        return session;
    }

    /// <summary>Records a headline number of this notebook beside the paper's and the article's.</summary>
    public ResultEntry Record(string system, string dataset, string metric, double value,
        double? paper = null, double? article = null, string? note = null) =>
        Results.Add(system, dataset, metric, value, paper, article, note);
}
