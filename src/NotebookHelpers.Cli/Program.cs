using System.CommandLine;
using NotebookHelpers.Cli;
using NotebookHelpers.Cli.Commands;
using NotebookHelpers.Cli.Papers;

// nbh: the notebooks' library without a notebook. Each command parses, validates and calls the library; failures
// end at the error boundary as one line.
var root = new RootCommand("NotebookHelpers: run the paper notebooks, check a machine, and run the papers' experiments from the command line.")
{
    NotebookCommands.Create(),
    DoctorCommand.Create(),
    WeightsCommands.Weights(),
    WeightsCommands.Classify(),
    ExplainCommand.Create(),
    BenchCommand.Create(),
};
var verbs = Verbs.Create();
SalGanCommands.AddTo(verbs);
SegNetCommands.AddTo(verbs);
ScoreCamCommands.AddTo(verbs);
SegmentationCommands.AddTo(verbs);
GlcicCommands.AddTo(verbs, root);
QualityCommands.AddTo(verbs);
foreach (var verb in verbs.All) root.Add(verb);
return await ErrorBoundary.RunAsync(root, args, Console.Error);
