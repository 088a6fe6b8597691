using System.Text.Json;

namespace NotebookHelpers.Tests.Cli;

/// <summary>Every notebook of the series executes end to end under `smoke`: through `nbh` and in the stock kernel.</summary>
[Collection(NotebookProcesses.Name)]
public class NotebookSeriesTests
{
    static IReadOnlyList<string> Notebooks() =>
        Directory.GetFiles(TestPaths.Notebooks, "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> SeriesNotebooks() => new(Notebooks());

    static Dictionary<string, string> Smoke(string resultsFolder) => new()
    {
        ["NBH_PROFILE"] = "smoke",
        ["NBH_RESULTS_DIR"] = resultsFolder,
    };

    static List<JsonElement> Outputs(string ipynb) => TestNotebooks.Cells(ipynb).SelectMany(c => c.Outputs).ToList();

    static bool IsError(JsonElement output) => output.GetProperty("output_type").GetString() == "error";

    static int Images(string ipynb) =>
        Outputs(ipynb).Count(o => o.TryGetProperty("data", out var data) && data.TryGetProperty("image/png", out _));

    [Fact]
    public void Every_notebook_runs_under_smoke_through_the_runner_and_the_report_gathers_them()
    {
        using var temp = new TempFolder();
        var outFolder = temp.Path;
        var run = ProcessRun.Start(TestPaths.Nbh, ["notebooks", "run", "--profile", "smoke", "--out", outFolder], workingDirectory: TestPaths.RepoRoot);
        Assert.True(run.ExitCode == 0, run.Output);

        var report = File.ReadAllText(Path.Combine(outFolder, "report.html"));
        foreach (var notebook in Notebooks())
        {
            var executed = Path.Combine(outFolder, notebook);
            Assert.DoesNotContain(Outputs(executed), IsError);
            Assert.True(Images(executed) >= 3, $"{notebook} shows {Images(executed)} images");
            Assert.Contains(Path.GetFileNameWithoutExtension(notebook), report);
            Assert.True(File.Exists(Path.Combine(outFolder, "results", Path.GetFileNameWithoutExtension(notebook) + ".json")),
                $"{notebook} recorded no result");
        }
        Assert.Contains("data:image/png;base64,", report);
        SalGanBeatsTheCentreBias(Path.Combine(outFolder, "results", "01-salgan.json"));
        SegNetBeatsTheMajorityClass(Path.Combine(outFolder, "results", "02-segnet.json"));
        GlcicBeatsTheMeanColour(Path.Combine(outFolder, "results", "03-glcic.json"));
        ScoreCamBeatsChanceAndTheCentredGaussian(Path.Combine(outFolder, "results", "05-score-cam.json"));
    }

    /// <summary>
    /// The claims notebook 05 prints, checked on the numbers it recorded: under smoke the defect classifier beats chance
    /// (0.5) on held-out balanced accuracy, and every CAM method puts more of its energy inside the defects than a
    /// centred Gaussian does.
    /// </summary>
    static void ScoreCamBeatsChanceAndTheCentredGaussian(string resultsFile)
    {
        var entries = NotebookHelpers.Notebooks.ResultsRecord.Read(resultsFile).Where(e => !e.System.Contains("published")).ToList();
        var balanced = entries.Single(e => e.System == "defect classifier" && e.Metric == "balanced_accuracy");
        Assert.Equal("smoke", balanced.Profile);
        Assert.True(balanced.Value > 0.5, $"balanced accuracy {balanced.Value:F3}");
        double Energy(string system) => entries.Single(e => e.System == system && e.Metric == "energy_pointing_game").Value;
        var gaussian = Energy(NotebookHelpers.Papers.ScoreCam.ScoreCamExperiment.CentredGaussianName);
        foreach (var method in NotebookHelpers.Papers.ScoreCam.ScoreCamExperiment.Methods)
            Assert.True(Energy(method) > gaussian, $"{method}: {Energy(method):P1} inside the defects vs the centred Gaussian's {gaussian:P1}");
    }

    /// <summary>
    /// The claim notebook 03 prints, checked on the numbers it recorded: under smoke the completion network, without
    /// post-processing, beats filling the hole with the training set's mean colour on PSNR and L1 inside the hole, and
    /// the post-processed completion beats it on PSNR, SSIM and L1 there.
    /// </summary>
    static void GlcicBeatsTheMeanColour(string resultsFile)
    {
        var entries = NotebookHelpers.Notebooks.ResultsRecord.Read(resultsFile);
        double Value(string system, string metric) => entries.Single(e => e.System == system && e.Metric == metric && !e.System.Contains("published")).Value;
        const string Raw = "GLCIC (paper's choices, raw)", Blended = "GLCIC (paper's choices, blended)", Mean = "mean colour";
        Assert.Equal("smoke", entries.Single(e => e.System == Raw && e.Metric == "hole PSNR").Profile);
        Assert.True(Value(Raw, "hole PSNR") > Value(Mean, "hole PSNR"), $"hole PSNR {Value(Raw, "hole PSNR"):F2} vs mean colour {Value(Mean, "hole PSNR"):F2}");
        Assert.True(Value(Raw, "hole L1") < Value(Mean, "hole L1"), $"hole L1 {Value(Raw, "hole L1"):F2} vs mean colour {Value(Mean, "hole L1"):F2}");
        foreach (var metric in new[] { "hole PSNR", "hole SSIM" })
            Assert.True(Value(Blended, metric) > Value(Mean, metric), $"blended {metric} {Value(Blended, metric):F3} vs mean colour {Value(Mean, metric):F3}");
        Assert.True(Value(Blended, "hole L1") < Value(Mean, "hole L1"));
    }

    /// <summary>
    /// The claim notebook 02 prints, checked on the numbers it recorded: under smoke both article networks beat
    /// predicting the training split's most frequent class everywhere, on mIoU, on the synthetic validation split.
    /// </summary>
    static void SegNetBeatsTheMajorityClass(string resultsFile)
    {
        var entries = NotebookHelpers.Notebooks.ResultsRecord.Read(resultsFile).Where(e => e.Metric == "mIoU" && e.Dataset.Contains("validation")).ToList();
        double Value(Func<string, bool> system) => entries.Single(e => system(e.System)).Value;
        var majority = Value(s => s.StartsWith("majority class"));
        foreach (var system in new[] { "SegNet", "Upsampling baseline" })
        {
            Assert.Equal("smoke", entries.Single(e => e.System == system).Profile);
            Assert.True(Value(s => s == system) > majority, $"{system} mIoU {Value(s => s == system):F3} vs majority class {majority:F3}");
        }
    }

    /// <summary>
    /// The claim notebook 01 prints, checked on the numbers it recorded: under smoke both SalGAN and BCE/4 beat the
    /// centre bias on AUC-Judd, NSS and CC on the synthetic validation split.
    /// </summary>
    static void SalGanBeatsTheCentreBias(string resultsFile)
    {
        var entries = NotebookHelpers.Notebooks.ResultsRecord.Read(resultsFile);
        double Value(string system, string metric) =>
            entries.Single(e => e.System == system && e.Dataset == "synthetic val" && e.Metric == metric).Value;
        Assert.All(entries.Where(e => e.System is "SalGAN" or "BCE/4"), e => Assert.Equal("smoke", e.Profile));
        foreach (var system in new[] { "SalGAN", "BCE/4" })
            foreach (var metric in new[] { "AUC_Judd", "NSS", "CC" })
                Assert.True(Value(system, metric) > Value("centre bias", metric),
                    $"{system} {metric} {Value(system, metric):F3} vs centre bias {Value("centre bias", metric):F3}");
    }

    [Theory]
    [MemberData(nameof(SeriesNotebooks))]
    public void The_stock_kernel_runs_the_notebook_under_smoke(string notebook)
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        Assert.Equal(0, ProcessRun.Start("dotnet", ["tool", "restore"], workingDirectory: TestPaths.RepoRoot).ExitCode);
        var executed = Path.Combine(folder, notebook);

        // dotnet-repl resolves relative #r paths against its working directory, as VS Code does: start it in notebooks/.
        var run = ProcessRun.Start("dotnet", ["tool", "run", "dotnet-repl", "--", "--run", Path.Combine(TestPaths.Notebooks, notebook), "--exit-after-run", "--output-path", executed],
            workingDirectory: TestPaths.Notebooks, environment: Smoke(Path.Combine(folder, "results")));

        Assert.True(File.Exists(executed), run.Output);
        var errors = Outputs(executed).Where(IsError).Select(o => o.GetProperty("evalue").GetString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(0, run.ExitCode);
        Assert.True(Images(executed) >= 3, $"{notebook} shows {Images(executed)} images in the stock kernel");
    }

    [Theory]
    [MemberData(nameof(SeriesNotebooks))]
    public void The_notebook_carries_what_VS_Code_Polyglot_Notebooks_needs(string notebook)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Notebooks, notebook)));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("nbformat").GetInt32());
        var metadata = root.GetProperty("metadata");
        Assert.Equal(".net-csharp", metadata.GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Equal("polyglot-notebook", metadata.GetProperty("language_info").GetProperty("name").GetString());
        Assert.Equal("csharp", metadata.GetProperty("polyglot_notebook").GetProperty("kernelInfo").GetProperty("defaultKernelName").GetString());

        var code = root.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code").ToList();
        Assert.All(code, cell =>
        {
            Assert.Equal("csharp", cell.GetProperty("metadata").GetProperty("polyglot_notebook").GetProperty("kernelName").GetString());
            Assert.Equal("csharp", cell.GetProperty("metadata").GetProperty("dotnet_interactive").GetProperty("language").GetString());
            Assert.Empty(cell.GetProperty("outputs").EnumerateArray()); // committed clean; executed copies carry outputs
        });

        string Source(JsonElement cell) => string.Concat(cell.GetProperty("source").EnumerateArray().Select(s => s.GetString()));
        // The first cell references the library's build output and nothing else; the second starts the session.
        Assert.Equal("#r \"../src/NotebookHelpers/bin/Debug/net10.0/NotebookHelpers.dll\"", Source(code[0]).Trim());
        Assert.Contains($"NotebookSession.Start(\"{Path.GetFileNameWithoutExtension(notebook)}\"", Source(code[1]));
        Assert.DoesNotContain(code, c => Source(c).Contains("#r \"nuget:", StringComparison.OrdinalIgnoreCase));
    }
}
