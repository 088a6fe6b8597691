using System.CommandLine;
using NotebookHelpers.Cli.Commands;

// nbh: the notebooks' library without a notebook. Each command parses, validates and calls the library.
var root = new RootCommand("NotebookHelpers: run the paper notebooks, check a machine, and run the papers' experiments from the command line.")
{
    NotebookCommands.Create(),
    DoctorCommand.Create(),
    WeightsCommands.Weights(),
    WeightsCommands.Classify(),
    EvalCommand.Create(),
    DataCommands.Create(),
    SalGanCommands.Train(),
    SalGanCommands.Predict(),
};
return await root.Parse(args).InvokeAsync();
