namespace NotebookHelpers.Tests.Cli;

/// <summary>`nbh notebooks run` as a user runs it: the built program, real kernel, one process per notebook.</summary>
[Collection(NotebookProcesses.Name)]
public class NotebookRunnerTests
{
    [Fact]
    public void A_failing_cell_names_notebook_cell_and_line_and_the_run_goes_on_to_exit_non_zero()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var bad = TestNotebooks.Write(Path.Combine(folder, "a-bad.ipynb"),
            "Console.WriteLine(\"first cell ran\");",
            "var x = 1;\nthrow new InvalidOperationException(\"boom in line two\");",
            "Console.WriteLine(\"must not run\");");
        var good = TestNotebooks.Write(Path.Combine(folder, "b-good.ipynb"), "Console.WriteLine(6 * 7);");
        var outFolder = Path.Combine(folder, "out");

        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", bad, good, "--out", outFolder, "--profile", "smoke"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("a-bad.ipynb: cell 3, line 2: System.InvalidOperationException: boom in line two", run.Output);
        Assert.Contains("first cell ran", run.Output); // live output of the cell
        Assert.Contains("notebooks: 1 passed, 1 failed", run.Output);

        var badCells = TestNotebooks.Cells(Path.Combine(outFolder, "a-bad.ipynb"));
        Assert.Equal("error", badCells[2].Outputs[^1].GetProperty("output_type").GetString());
        Assert.Empty(badCells[3].Outputs); // stopped at the failing cell
        var goodCells = TestNotebooks.Cells(Path.Combine(outFolder, "b-good.ipynb"));
        Assert.Contains("42", goodCells[1].Outputs[0].GetProperty("text").ToString());
        Assert.True(File.Exists(Path.Combine(outFolder, "report.html")));
    }

    [Fact]
    public void A_compile_error_reports_its_line()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var notebook = TestNotebooks.Write(Path.Combine(folder, "compile.ipynb"), "var ok = 1;\nvar broken = undefinedName + 1;");
        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", notebook, "--out", Path.Combine(folder, "out")]);
        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"compile\.ipynb: cell 2, line 2: .*CS0103", run.Output);
    }

    [Fact]
    public void A_cell_past_its_time_limit_fails_instead_of_hanging()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var notebook = TestNotebooks.Write(Path.Combine(folder, "slow.ipynb"), "Console.WriteLine(\"sleeping\");\nSystem.Threading.Thread.Sleep(120_000);");
        var outFolder = Path.Combine(folder, "out");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", notebook, "--out", outFolder, "--cell-timeout", "3s"]);

        Assert.Equal(1, run.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Contains("slow.ipynb: cell 2: the cell ran past its time limit of 3 s", run.Output);
        var cells = TestNotebooks.Cells(Path.Combine(outFolder, "slow.ipynb"));
        Assert.Contains(cells[1].Outputs, o => o.GetProperty("output_type").GetString() == "error");
    }

    [Fact]
    public void A_missing_notebook_is_refused_before_anything_runs()
    {
        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", "/nonexistent/x.ipynb"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("No notebook at /nonexistent/x.ipynb", run.Output);
    }

    [Fact]
    public void The_profile_reaches_the_notebook_and_an_unknown_one_is_refused()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var notebook = TestNotebooks.Write(Path.Combine(folder, "env.ipynb"), "Console.WriteLine(\"profile=\" + Environment.GetEnvironmentVariable(\"NBH_PROFILE\"));");
        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", notebook, "--out", Path.Combine(folder, "out"), "--profile", "workshop"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("profile=workshop", run.Output);

        var bad = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", notebook, "--profile", "fast"]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Unknown profile 'fast'", bad.Output);
    }
}

/// <summary>Tests that start notebook processes run one at a time: each loads libtorch and a kernel, on two cores.</summary>
[CollectionDefinition(Name)]
public sealed class NotebookProcesses
{
    public const string Name = "notebook processes";
}
