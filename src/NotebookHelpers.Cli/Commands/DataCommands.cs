using System.CommandLine;
using NotebookHelpers.Data;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh data ...</c>: preparing downloaded datasets for the loaders.</summary>
public static class DataCommands
{
    public static Command Create()
    {
        var command = new Command("data", "Prepare downloaded datasets for the loaders (the data scripts call these).");
        command.Add(SaliconFixationsCommand());
        return command;
    }

    static Command SaliconFixationsCommand()
    {
        var mat = new Option<string>("--mat") { Description = "Folder of SALICON's .mat fixation files (one per image).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the PNG fixation maps (255 = fixated).", Required = true };
        var command = new Command("salicon-fixations", "Convert SALICON's .mat fixations into the PNG fixation maps the loader and `nbh eval saliency` read.") { mat, output };
        command.SetAction(parse =>
        {
            try
            {
                var (converted, skipped) = SaliconFixations.ConvertFolder(parse.GetValue(mat)!, parse.GetValue(output)!);
                Console.WriteLine($"{converted} fixation maps written to {parse.GetValue(output)}; {skipped} file(s) skipped.");
                return skipped == 0 && converted > 0 ? 0 : 1;
            }
            catch (DirectoryNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return command;
    }
}
