using System.IO.Compression;
using System.Text;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Imaging;
using NotebookHelpers.Training;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli;

/// <summary>One smoke run of <c>nbh train salgan</c>, shared by the tests that need a checkpoint.</summary>
public sealed class TrainedSalGan : IDisposable
{
    public TrainedSalGan()
    {
        var run = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--profile", "smoke", "--out", Run]);
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Output);
    }

    public TempFolder Folder { get; } = new();
    public string Run => Folder.File("run");

    /// <summary>A copy of the run to damage.</summary>
    public string CopyRun(string name)
    {
        var copy = Folder.File(name);
        foreach (var file in Directory.GetFiles(Run, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public void Dispose() => Folder.Dispose();
}

/// <summary>
/// Broken, odd and hostile input, as a new user meets it: each case ends in one line that names the file or option
/// and says what to do, with the exit code of its kind (2 usage, 1 failed work), no stack trace, and no file of
/// the user's changed.
/// </summary>
[Collection(NotebookProcesses.Name)]
public sealed class HostileInputTests(TrainedSalGan trained) : IClassFixture<TrainedSalGan>, IDisposable
{
    readonly TempFolder temp = new();

    static ProcessRun Nbh(params string[] args) => ProcessRun.Start(TestPaths.Nbh, args);

    /// <summary>The exit code, the text, and no .NET stack trace.</summary>
    static void AssertRefused(ProcessRun run, int exitCode, string text)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        Assert.Contains(text, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("(Parameter '", run.Output);
    }

    /// <summary>A file with known bytes, to check afterwards that nothing touched it.</summary>
    string UserFile(params string[] parts)
    {
        var path = temp.File(parts);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "the user's own words\n");
        return path;
    }

    static void AssertUntouched(string path) => Assert.Equal("the user's own words\n", File.ReadAllText(path));

    [Fact]
    public void An_unknown_profile_in_the_option_or_the_environment_is_named()
    {
        AssertRefused(Nbh("train", "salgan", "--profile", "fast", "--out", temp.File("a")), 2, "Unknown profile 'fast' in --profile: use one of smoke, workshop, paper.");
        AssertRefused(Nbh("notebooks", "run", "--profile", "fast", "--out", temp.File("b")), 2, "--profile");
        var environment = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--out", temp.File("c")],
            environment: new Dictionary<string, string> { ["NBH_PROFILE"] = "turbo" });
        AssertRefused(environment, 2, "Unknown profile 'turbo' in the environment variable NBH_PROFILE");
        Assert.False(Directory.Exists(temp.File("a")));
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("0")]
    [InlineData("-3m")]
    [InlineData("1e12h")]
    [InlineData("")]
    public void A_bad_cell_timeout_is_a_usage_error(string value)
    {
        var notebook = TestNotebooks.Write(temp.File("n.ipynb"), "1 + 1");
        AssertRefused(Nbh("notebooks", "run", notebook, "--out", temp.File("out"), "--cell-timeout", value), 2, $"--cell-timeout '{value}'");
        Assert.False(Directory.Exists(temp.File("out")), "nothing runs, nothing is written");
    }

    [Fact]
    public void An_out_that_is_a_file_is_refused_by_every_command_before_any_work_and_stays_as_it_was()
    {
        var file = UserFile("taken");
        var notebook = TestNotebooks.Write(temp.File("n.ipynb"), "1 + 1");
        Directory.CreateDirectory(temp.File("images"));
        Directory.CreateDirectory(temp.File("mat"));
        var runs = new[]
        {
            Nbh("train", "salgan", "--profile", "smoke", "--out", file),
            Nbh("predict", "salgan", "--checkpoint", trained.Run, "--images", temp.File("images"), "--out", file),
            Nbh("notebooks", "run", notebook, "--out", file),
            Nbh("data", "salicon-fixations", "--mat", temp.File("mat"), "--out", file),
        };
        foreach (var run in runs)
        {
            AssertRefused(run, 2, $"--out: {file} is a file, not a folder");
            Assert.DoesNotContain("synthetic pop-out", run.Output); // refused before the data loaded
        }
        AssertUntouched(file);
    }

    [Fact]
    public void An_out_that_cannot_be_written_is_refused()
    {
        // /proc takes no new folders, even for root (a read-only folder would not stop root).
        AssertRefused(Nbh("train", "salgan", "--profile", "smoke", "--out", "/proc/nbh-test-out"), 2, "--out: Cannot write to /proc/nbh-test-out");
    }

    [Fact]
    public void A_folder_with_other_files_is_refused_without_force_and_a_commands_own_folder_is_reused()
    {
        var notebook = TestNotebooks.Write(temp.File("nb", "n.ipynb"), "1 + 1");
        var mine = UserFile("out", "results", "notes.txt");
        var refused = Nbh("notebooks", "run", notebook, "--out", temp.File("out"));
        AssertRefused(refused, 2, "already holds files that `nbh notebooks run` did not write");
        AssertUntouched(mine);

        var fresh = temp.File("fresh");
        Assert.Equal(0, Nbh("notebooks", "run", notebook, "--out", fresh).ExitCode);
        Assert.Equal(0, Nbh("notebooks", "run", notebook, "--out", fresh).ExitCode); // the main command twice just works
        // Another command's folder is not this one's.
        AssertRefused(Nbh("data", "salicon-fixations", "--mat", temp.File("nb"), "--out", fresh), 2, "holds the outputs of `nbh notebooks run`");

        var forced = Nbh("notebooks", "run", notebook, "--out", temp.File("out"), "--force");
        Assert.Equal(0, forced.ExitCode);
        AssertUntouched(mine); // --force writes beside the user's files; it never deletes them
    }

    [Fact]
    public void The_notebooks_own_folder_is_never_an_out_not_even_with_force()
    {
        var notebook = TestNotebooks.Write(temp.File("n.ipynb"), "1 + 1");
        var before = File.ReadAllText(notebook);
        AssertRefused(Nbh("notebooks", "run", notebook, "--out", temp.Path, "--force"), 2, "would overwrite the notebook itself");
        Assert.Equal(before, File.ReadAllText(notebook));
    }

    [Fact]
    public void Two_notebooks_of_one_name_are_refused_before_either_runs()
    {
        var a = TestNotebooks.Write(temp.File("a", "same.ipynb"), "1 + 1");
        var b = TestNotebooks.Write(temp.File("b", "same.ipynb"), "2 + 2");
        AssertRefused(Nbh("notebooks", "run", a, b, "--out", temp.File("out")), 2, "Two notebooks are named same.ipynb");
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Theory]
    [InlineData("not json at all", "it is not JSON")]
    [InlineData("{}", "it has no \"cells\" list")]
    [InlineData("{\"cells\": \"nope\"}", "it has no \"cells\" list")]
    [InlineData("{\"cells\": []}", "it has no code cell to run")]
    public void A_file_that_is_not_a_notebook_does_not_pass(string content, string why)
    {
        var path = temp.File("broken.ipynb");
        File.WriteAllText(path, content);
        AssertRefused(Nbh("notebooks", "run", path, "--out", temp.File("out")), 2, $"{path} is not a Polyglot/Jupyter notebook: {why}");
    }

    [Fact]
    public void Predict_says_which_checkpoint_it_used_and_takes_the_step_folder_train_printed()
    {
        var images = temp.File("images");
        Directory.CreateDirectory(images);
        ImageIO.SaveRgb(rand(3, 24, 32), Path.Combine(images, "a.png"));
        var latest = Checkpoint.FindLatest(trained.Run)!;

        var byRun = Nbh("predict", "salgan", "--checkpoint", trained.Run, "--images", images, "--out", temp.File("maps1"));
        Assert.Equal(0, byRun.ExitCode);
        Assert.Contains($"Using the checkpoint {latest.Folder} (step {latest.Step}", byRun.Output);
        var byStep = Nbh("predict", "salgan", "--checkpoint", latest.Folder, "--images", images, "--out", temp.File("maps2"));
        Assert.Equal(0, byStep.ExitCode);
        Assert.Equal(File.ReadAllBytes(temp.File("maps1", "a.png")), File.ReadAllBytes(temp.File("maps2", "a.png")));
    }

    [Fact]
    public void Two_images_of_one_stem_never_overwrite_each_others_map()
    {
        var images = temp.File("images");
        Directory.CreateDirectory(images);
        ImageIO.SaveRgb(rand(3, 24, 32), Path.Combine(images, "x.png"));
        ImageIO.SaveRgb(rand(3, 24, 32), Path.Combine(images, "x.jpg"));
        var run = Nbh("predict", "salgan", "--checkpoint", trained.Run, "--images", images, "--out", temp.File("maps"));
        AssertRefused(run, 1, "x.jpg has the same name stem, so both maps would be x.png");
        Assert.Contains("1 saliency maps written", run.Output);
        Assert.Contains("1 image(s) skipped", run.Output);
    }

    [Fact]
    public void Damaged_checkpoints_are_named_with_what_is_wrong()
    {
        var images = temp.File("images");
        Directory.CreateDirectory(images);
        string Predict(string run) => Nbh("predict", "salgan", "--checkpoint", run, "--images", images, "--out", temp.File("maps-" + Path.GetFileName(run))).Output;

        // Truncated weights in every kept checkpoint: none is complete, and the message says why.
        var truncated = trained.CopyRun("truncated");
        foreach (var step in Directory.GetDirectories(truncated, "step-*"))
        {
            var file = Path.Combine(step, "generator.model.bin");
            File.WriteAllBytes(file, File.ReadAllBytes(file)[..1000]);
        }
        var text = Predict(truncated);
        Assert.Contains("No complete checkpoint in", text);
        Assert.Contains("generator.model.bin is 1000 bytes, the save wrote", text);

        // Weights of the right length but garbage inside.
        var corrupt = trained.CopyRun("corrupt");
        var weights = Path.Combine(Checkpoint.FindLatest(corrupt)!.Folder, "generator.model.bin");
        File.WriteAllBytes(weights, new byte[new FileInfo(weights).Length]);
        var run = Nbh("predict", "salgan", "--checkpoint", corrupt, "--images", images, "--out", temp.File("maps-c"));
        AssertRefused(run, 1, "Could not load checkpoint file");

        // A config.json of the right length that is not JSON.
        var sidecar = trained.CopyRun("sidecar");
        var config = Path.Combine(Checkpoint.FindLatest(sidecar)!.Folder, "config.json");
        File.WriteAllText(config, new string('x', (int)new FileInfo(config).Length));
        run = Nbh("predict", "salgan", "--checkpoint", sidecar, "--images", images, "--out", temp.File("maps-s"));
        AssertRefused(run, 1, "config.json is not the configuration this program writes");

        // A checkpoint.json that is not JSON: for predict it is not a checkpoint, and the message quotes why.
        var badJson = trained.CopyRun("bad-json");
        foreach (var step in Directory.GetDirectories(badJson, "step-*"))
            File.WriteAllText(Path.Combine(step, "checkpoint.json"), "{ not json");
        Assert.Contains("checkpoint.json is not valid JSON", Predict(badJson));
    }

    [Fact]
    public void A_malformed_checkpoint_json_in_a_step_folder_does_not_cost_the_run_its_scores()
    {
        var run = trained.CopyRun("resume");
        var stray = Path.Combine(run, "step-000000001");
        Directory.CreateDirectory(stray);
        File.WriteAllText(Path.Combine(stray, "checkpoint.json"), "{ \"step\": ");
        File.Delete(Path.Combine(run, "scores.json"));
        // The run is complete, so --resume goes straight to scoring and saving, which prunes old checkpoints.
        var resumed = Nbh("train", "salgan", "--profile", "smoke", "--out", run, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.True(File.Exists(Path.Combine(run, "scores.json")));
        Assert.True(File.Exists(Path.Combine(stray, "checkpoint.json")), "a folder this run cannot read is not its to delete");
    }

    [Fact]
    public void A_colour_mapped_prediction_is_refused_and_density_maps_of_another_size_are_noted_once()
    {
        var (predictions, fixations, maps) = (temp.File("pred"), temp.File("fix"), temp.File("maps"));
        foreach (var folder in new[] { predictions, fixations, maps }) Directory.CreateDirectory(folder);
        var fixation = zeros(1, 16, 16);
        fixation[0, 4, 4] = tensor(1f);
        foreach (var name in new[] { "a", "b", "c" })
        {
            ImageIO.SaveGray(fixation, Path.Combine(fixations, name + ".png"));
            ImageIO.SaveGray(rand(1, 32, 32), Path.Combine(maps, name + ".png")); // twice the fixation maps' size
            ImageIO.SaveGray(rand(1, 16, 16), Path.Combine(predictions, name + ".png"));
        }
        // A jet-coloured picture: red, green and blue differ.
        ImageIO.SaveRgb(stack([rand(16, 16), zeros(16, 16), ones(16, 16)]), Path.Combine(predictions, "c.png"));

        var run = Nbh("eval", "saliency", "--predictions", predictions, "--fixations", fixations, "--maps", maps);
        AssertRefused(run, 1, "c.png: a colour image, not a grey map");
        Assert.Single(run.Output.Split('\n'), line => line.StartsWith("note: density maps of another size", StringComparison.Ordinal));
    }

    [Fact]
    public void A_truncated_or_huge_image_is_an_error_naming_the_file_in_eval_and_classify()
    {
        var (predictions, fixations) = (temp.File("pred"), temp.File("fix"));
        Directory.CreateDirectory(predictions);
        Directory.CreateDirectory(fixations);
        var fixation = zeros(1, 64, 64);
        fixation[0, 10, 10] = tensor(1f);
        ImageIO.SaveGray(fixation, Path.Combine(fixations, "a.png"));
        ImageIO.SaveGray(fixation, Path.Combine(fixations, "b.png"));
        ImageIO.SaveGray(rand(1, 64, 64), Path.Combine(predictions, "a.png"));
        var whole = File.ReadAllBytes(Path.Combine(predictions, "a.png"));
        var cut = Path.Combine(predictions, "b.png");
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]); // cut inside its pixel data

        var eval = Nbh("eval", "saliency", "--predictions", predictions, "--fixations", fixations);
        AssertRefused(eval, 1, "b.png: unreadable:");
        Assert.Contains("truncated", eval.Output);

        var huge = temp.File("huge.png");
        TestPng.WriteBlankGrey(huge, 20000, 20000); // 400 MB of pixels in a few hundred KB
        var classifyCut = Nbh("classify", "--model", "resnet50", "--weights", UserFile("w.pth"), "--image", cut);
        AssertRefused(classifyCut, 1, cut);
        var classifyHuge = Nbh("classify", "--model", "resnet50", "--weights", UserFile("w2.pth"), "--image", huge);
        AssertRefused(classifyHuge, 1, "20000");
        Assert.Contains(ImageIO.MaxPixelsVariable, classifyHuge.Output);

        File.Copy(huge, Path.Combine(predictions, "a.png"), overwrite: true);
        AssertRefused(Nbh("eval", "saliency", "--predictions", predictions, "--fixations", fixations), 1, ImageIO.MaxPixelsVariable);
    }

    [Fact]
    public void A_pickle_naming_a_function_is_refused_unread_and_a_protocol_4_state_dict_reads()
    {
        // A zip checkpoint whose data.pkl calls os.system("echo pwned") when Python's pickle loads it.
        var hostile = temp.File("hostile.pth");
        WriteZipCheckpoint(hostile, [0x80, 0x02, .. "cos\nsystem\n"u8, .. "X\u000a\0\0\0echo pwned"u8, 0x85, (byte)'R', (byte)'.']);
        var run = Nbh("weights", "check", "--model", "vgg16", hostile);
        AssertRefused(run, 1, "os.system, which a state dict never needs");
        Assert.DoesNotContain("fits", run.Output.Replace("does not fit", ""));
    }

    [Fact]
    public void Verify_with_a_missing_reference_names_the_option()
    {
        var weights = UserFile("w.pth");
        AssertRefused(Nbh("weights", "verify", "--model", "resnet50", "--weights", weights, "--reference", temp.File("none.pth")), 2, "--reference: there is no file");
        AssertRefused(Nbh("classify", "--model", "resnet50", "--weights", temp.File("none.pth"), "--image", weights), 2, "--weights: there is no file");
    }

    [Fact]
    public void Usage_errors_exit_2_everywhere_and_verbose_shows_the_trace()
    {
        AssertRefused(Nbh("train", "salgan", "--no-such-option"), 2, "--no-such-option");
        AssertRefused(Nbh("frobnicate"), 2, "frobnicate");
        AssertRefused(Nbh("classify", "--model", "alexnet", "--weights", "w", "--image", "i"), 2, "Unknown model 'alexnet'");
        AssertRefused(Nbh("train", "salgan", "--profile", "smoke", "--checkpoint-every", "0", "--out", temp.File("x")), 2, "--checkpoint-every 0");

        var verbose = Nbh("train", "salgan", "--profile", "fast", "--verbose");
        Assert.Equal(2, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Output);
    }

    [Fact]
    public void A_notebook_stopped_at_its_time_limit_takes_what_its_cells_started_with_it()
    {
        var pidFile = temp.File("child.pid");
        var notebook = TestNotebooks.Write(temp.File("orphans.ipynb"),
            $"var child = System.Diagnostics.Process.Start(\"sleep\", \"300\");\nSystem.IO.File.WriteAllText(@\"{pidFile}\", child.Id.ToString());\nSystem.Threading.Thread.Sleep(120_000);");
        var run = Nbh("notebooks", "run", notebook, "--out", temp.File("out"), "--cell-timeout", "5s");
        Assert.Equal(1, run.ExitCode);
        var pid = int.Parse(File.ReadAllText(pidFile));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsAlive(pid) && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.False(IsAlive(pid), $"sleep (pid {pid}) outlived its notebook");
    }

    static bool IsAlive(int pid)
    {
        // A killed child that nobody reaped is a zombie ("Z"): dead for every purpose here.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A torch.save-style zip archive holding only <c>archive/data.pkl</c> with the given bytes.</summary>
    static void WriteZipCheckpoint(string path, byte[] pickle)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var entry = zip.CreateEntry("archive/data.pkl").Open();
        entry.Write(pickle);
    }

    public void Dispose() => temp.Dispose();
}
