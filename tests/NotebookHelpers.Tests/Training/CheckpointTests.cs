using NotebookHelpers.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Training;

public class CheckpointTests
{
    [Fact]
    public void Load_restores_the_saved_weights_exactly()
    {
        using var temp = new TempFolder();
        var model = Model(0.3f);
        var saved = model.weight!.clone();
        Checkpoint.Save(temp.Path, new TrainingState().Add("net", model), step: 10);
        using (no_grad()) model.weight!.add_(1);

        var resumeAt = Checkpoint.TryLoadLatest(temp.Path, new TrainingState().Add("net", model));

        Assert.Equal(10, resumeAt);
        TensorAssert.Same(saved, model.weight!);
    }

    [Fact]
    public void TryLoadLatest_returns_null_when_there_is_no_checkpoint()
    {
        using var temp = new TempFolder();

        Assert.Null(Checkpoint.TryLoadLatest(Path.Combine(temp.Path, "none"), new TrainingState().Add("net", Model(1))));
    }

    [Fact]
    public void TryLoadLatest_picks_the_highest_step_and_the_sidecar_keeps_epoch_metrics_and_notes()
    {
        using var temp = new TempFolder();
        var model = Model(1);
        var state = new TrainingState().Add("net", model);
        Checkpoint.Save(temp.Path, state, step: 100, epoch: 1);
        Checkpoint.Save(temp.Path, state, step: 200, epoch: 2,
            metrics: new Dictionary<string, double> { ["val_auc"] = 0.87, ["g_loss"] = double.NaN },
            notes: new Dictionary<string, string> { ["profile"] = "smoke" });

        var latest = Checkpoint.FindLatest(temp.Path)!;

        Assert.Equal(200, Checkpoint.TryLoadLatest(temp.Path, state));
        Assert.Equal(200, latest.Step);
        Assert.Equal(2, latest.Epoch);
        Assert.Equal(0.87, latest.Metrics["val_auc"]);
        Assert.True(double.IsNaN(latest.Metrics["g_loss"]));
        Assert.Equal("smoke", latest.Notes["profile"]);
    }

    [Fact]
    public void A_save_that_fails_midway_leaves_the_previous_checkpoint_loadable()
    {
        using var temp = new TempFolder();
        var model = Model(0.5f);
        var state = new TrainingState().Add("net", model);
        Checkpoint.Save(temp.Path, state, step: 10);
        var good = model.weight!.clone();
        using (no_grad()) model.weight!.mul_(3);
        // Make the weights file of the next checkpoint impossible to put in place: a folder holds its name.
        Directory.CreateDirectory(Path.Combine(temp.Path, "step-000000020", "net.model.bin"));

        Assert.NotNull(Record.Exception(() => Checkpoint.Save(temp.Path, state, step: 20)));

        Assert.False(File.Exists(Path.Combine(temp.Path, "step-000000020", "checkpoint.json")));
        Assert.Equal(10, Checkpoint.TryLoadLatest(temp.Path, state));
        TensorAssert.Same(good, model.weight!);
    }

    [Fact]
    public void A_checkpoint_without_its_sidecar_is_an_unfinished_save_and_is_skipped()
    {
        using var temp = new TempFolder();
        var state = new TrainingState().Add("net", Model(1));
        Checkpoint.Save(temp.Path, state, step: 10);
        var unfinished = Checkpoint.Save(temp.Path, state, step: 20);
        File.Delete(Path.Combine(unfinished.Folder, "checkpoint.json"));   // the crash came before the commit

        Assert.Equal(10, Checkpoint.TryLoadLatest(temp.Path, state));
    }

    [Fact]
    public void Mismatched_model_names_the_file_and_the_first_mismatching_parameter_and_changes_nothing()
    {
        using var temp = new TempFolder();
        Checkpoint.Save(temp.Path, new TrainingState().Add("net", nn.Linear(4, 2)), step: 1);
        var other = nn.Linear(4, 3);
        var before = other.weight!.clone();

        var error = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.TryLoadLatest(temp.Path, new TrainingState().Add("net", other)));

        var file = Path.Combine(temp.Path, "step-000000001", "net.model.bin");
        Assert.Equal($"Checkpoint file '{file}' does not match the model 'net': parameter 'weight' has shape [2, 4] in the file but [3, 4] in the model.", error.Message);
        Assert.Equal("weight", error.ParameterName);
        TensorAssert.Same(before, other.weight!);
    }

    [Fact]
    public void Missing_part_lists_the_parts_the_checkpoint_has()
    {
        using var temp = new TempFolder();
        Checkpoint.Save(temp.Path, new TrainingState().Add("generator", Model(1)), step: 1);

        var error = Assert.Throws<InvalidOperationException>(() =>
            Checkpoint.TryLoadLatest(temp.Path, new TrainingState().Add("discriminator", Model(1))));

        Assert.Contains("no part 'discriminator'; it has: generator", error.Message);
    }

    [Fact]
    public void Adam_state_round_trips_so_a_resumed_step_equals_an_uninterrupted_one()
    {
        using var temp = new TempFolder();
        var x = linspace(-1, 1, 24).view(8, 3);
        var y = x.sum(1, keepdim: true).sin();

        var model = Model(0.2f);
        var adam = optim.Adam(model.parameters(), lr: 0.05);
        for (int step = 0; step < 3; step++) TrainStep(model, adam, x, y);
        Checkpoint.Save(temp.Path, new TrainingState().Add("net", model, adam), step: 3);
        TrainStep(model, adam, x, y);   // step 4 without interruption

        var resumed = Model(-0.7f);      // different weights and a fresh optimizer: everything must come from the checkpoint
        var resumedAdam = optim.Adam(resumed.parameters(), lr: 0.05);
        Assert.Equal(3, Checkpoint.TryLoadLatest(temp.Path, new TrainingState().Add("net", resumed, resumedAdam)));
        TrainStep(resumed, resumedAdam, x, y);

        TensorAssert.Same(model.weight!, resumed.weight!);
        TensorAssert.Same(model.bias!, resumed.bias!);
    }

    [Fact]
    public void Save_keeps_only_the_newest_checkpoints()
    {
        using var temp = new TempFolder();
        var state = new TrainingState().Add("net", Model(1));

        for (int step = 1; step <= 4; step++) Checkpoint.Save(temp.Path, state, step, keepLast: 2);

        Assert.Equal(["step-000000003", "step-000000004"], Directory.GetDirectories(temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Part_names_must_be_usable_as_file_names()
    {
        Assert.Throws<ArgumentException>(() => new TrainingState().Add("../net", Model(1)));
    }

    [Fact]
    public void A_save_killed_midway_leaves_temporary_files_that_the_next_save_of_that_step_removes()
    {
        using var temp = new TempFolder();
        var state = new TrainingState().Add("net", Model(1));
        var folder = Checkpoint.Save(temp.Path, state, step: 5).Folder;
        var stale = Path.Combine(folder, ".net.model.bin.0123abcd.tmp");
        File.WriteAllText(stale, "half a file");

        Checkpoint.Save(temp.Path, state, step: 5);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void An_unreadable_sidecar_is_passed_over_named_by_WhyNoCheckpoint_and_never_pruned()
    {
        using var temp = new TempFolder();
        var state = new TrainingState().Add("net", Model(1));
        var stray = Path.Combine(temp.Path, "step-000000001");
        Directory.CreateDirectory(stray);
        File.WriteAllText(Path.Combine(stray, "checkpoint.json"), "{ \"step\": ");
        Assert.Null(Checkpoint.FindLatest(temp.Path));
        Assert.Contains("step-000000001: ", Checkpoint.WhyNoCheckpoint(temp.Path));
        Assert.Contains("checkpoint.json is not valid JSON", Checkpoint.WhyNoCheckpoint(temp.Path));
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(stray, state));

        for (int step = 2; step <= 5; step++) Checkpoint.Save(temp.Path, state, step, keepLast: 1);
        Assert.Equal(5, Checkpoint.FindLatest(temp.Path)!.Step);
        Assert.Equal(["step-000000001", "step-000000005"], Directory.GetDirectories(temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_step_folder_is_its_own_checkpoint_and_a_damaged_file_is_named()
    {
        using var temp = new TempFolder();
        var state = new TrainingState().Add("net", Model(1));
        var first = Checkpoint.Save(temp.Path, state, step: 1, keepLast: 5);
        Checkpoint.Save(temp.Path, state, step: 2, keepLast: 5);
        Assert.Equal(1, Checkpoint.FindLatest(first.Folder)!.Step);

        File.WriteAllBytes(Path.Combine(first.Folder, "net.model.bin"), [1, 2, 3]);
        Assert.Null(Checkpoint.FindLatest(first.Folder));
        Assert.Matches(@"^step-000000001: net\.model\.bin is 3 bytes, the save wrote \d+ \(truncated or replaced\?\)$", Checkpoint.WhyNoCheckpoint(first.Folder));
        Assert.Equal("there is no folder " + Path.Combine(temp.Path, "none"), Checkpoint.WhyNoCheckpoint(Path.Combine(temp.Path, "none")));
    }

    static Linear Model(float a)
    {
        var model = nn.Linear(3, 1);
        using (no_grad())
        {
            model.weight!.copy_(tensor(new[] { a, -a, 0.5f }).view(1, 3));
            model.bias!.fill_(0.1f);
        }
        return model;
    }

    static void TrainStep(Linear model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        nn.functional.mse_loss(model.forward(x), y).backward();
        optimizer.step();
    }
}
