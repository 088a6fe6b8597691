using System.CommandLine;

namespace NotebookHelpers.Cli;

/// <summary>
/// The verbs every paper shares. <c>Program</c> creates them once; each paper's command file under <c>Papers/</c>
/// adds its subcommands (<c>nbh train salgan</c>, later <c>nbh train segnet</c>), so two papers never collide.
/// </summary>
public sealed record Verbs(Command Train, Command Predict, Command Eval, Command Data)
{
    public static Verbs Create() => new(
        new Command("train", "Train a paper's model with the library code its notebook uses."),
        new Command("predict", "Predict with a trained paper model."),
        new Command("eval", "Score a folder of model outputs with a paper's metrics."),
        new Command("data", "Prepare downloaded datasets for the loaders (the data scripts call these)."));

    public IEnumerable<Command> All => [Train, Predict, Eval, Data];
}
