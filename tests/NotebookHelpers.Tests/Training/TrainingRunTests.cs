using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Training;

[Collection(nameof(GlobalRandomState))]
public class TrainingRunTests
{
    // A linear fit whose batches come from the run's shuffling generator, so the order matters to the result.
    static (nn.Module Model, optim.Optimizer Optimizer) Fresh()
    {
        manual_seed(1);
        var model = nn.Linear(3, 1);
        return (model, optim.Adam(model.parameters(), 0.05));
    }

    static void Train(TrainingRun run, nn.Module model, optim.Optimizer optimizer, int epochs, int stopAfter = int.MaxValue)
    {
        manual_seed(9);
        var x = randn(20, 3);
        var y = x.matmul(tensor(new float[] { 1, -2, 0.5f })).unsqueeze(1);
        var linear = (TorchSharp.Modules.Linear)model;
        foreach (var epoch in run.Epochs(epochs))
        {
            var order = randperm(20, generator: run.Shuffle);
            var batches = Enumerable.Range(0, 5).Select(i => order[TensorIndex.Slice(i * 4, i * 4 + 4)]);
            foreach (var index in run.Skip(batches))
            {
                if (run.Step == stopAfter) return; // as if killed here
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(linear.call(x.index_select(0, index)), y.index_select(0, index));
                loss.backward();
                optimizer.step();
                run.Completed(epoch, ("loss", loss.item<float>()));
            }
            run.EndEpoch(epoch);
        }
    }

    [Fact]
    public void Resuming_mid_epoch_gives_the_uninterrupted_weights_bit_for_bit()
    {
        using var folder = new TempFolder();
        var (m1, o1) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("a"), CheckpointEvery: 3), new TrainingState().Add("m", m1, o1), "{\"lr\":0.05}", 4))
            Train(run, m1, o1, epochs: 3);

        var (m2, o2) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("b"), CheckpointEvery: 3), new TrainingState().Add("m", m2, o2), "{\"lr\":0.05}", 4))
            Train(run, m2, o2, epochs: 3, stopAfter: 8); // the last checkpoint is at step 6, inside epoch 1

        var (m3, o3) = Fresh();
        var output = new StringWriter();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("b"), CheckpointEvery: 3, Resume: true), new TrainingState().Add("m", m3, o3), "{\"lr\":0.05}", 4, output))
        {
            Assert.Equal(6, run.Step);
            Assert.Equal(1, run.Epoch);
            Assert.Equal(1, run.StepInEpoch);
            Train(run, m3, o3, epochs: 3);
            Assert.Equal(15, run.Step);
            Assert.Equal(Enumerable.Range(1, 15).Select(s => (long)s), run.Log.Series("loss").Steps);
        }
        Assert.StartsWith("resumed at step 6, epoch 1, from ", output.ToString());
        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m3.named_parameters().First(q => q.name == name).parameter).all().item<bool>(), $"{name} differs");
    }

    [Fact]
    public void A_resumed_run_draws_the_same_dropout_masks_from_the_global_generator()
    {
        // The data come from a generator of their own; dropout draws from libtorch's global one, as a network's does.
        var data = new Generator(3);
        var x = randn([20, 3], generator: data);
        var y = x.matmul(tensor(new float[] { 1, -2, 0.5f })).unsqueeze(1);
        void Loop(TrainingRun run, nn.Module model, optim.Optimizer optimizer, int stopAfter = int.MaxValue)
        {
            var linear = (TorchSharp.Modules.Linear)model;
            foreach (var epoch in run.Epochs(2))
            {
                foreach (var index in run.Skip(Enumerable.Range(0, 5).Select(i => arange(i * 4, i * 4 + 4))))
                {
                    if (run.Step == stopAfter) return;
                    optimizer.zero_grad();
                    var input = nn.functional.dropout(x.index_select(0, index), 0.5, training: true);
                    var loss = nn.functional.mse_loss(linear.call(input), y.index_select(0, index));
                    loss.backward();
                    optimizer.step();
                    run.Completed(epoch, ("loss", loss.item<float>()));
                }
                run.EndEpoch(epoch);
            }
        }
        using var folder = new TempFolder();
        var (m1, o1) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("a"), CheckpointEvery: 3), new TrainingState().Add("m", m1, o1), "{}", 4))
            Loop(run, m1, o1);
        var (m2, o2) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("b"), CheckpointEvery: 3), new TrainingState().Add("m", m2, o2), "{}", 4))
            Loop(run, m2, o2, stopAfter: 7);
        var (m3, o3) = Fresh(); // reseeds the global generator: only the checkpoint can put it back
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("b"), CheckpointEvery: 3, Resume: true), new TrainingState().Add("m", m3, o3), "{}", 4))
            Loop(run, m3, o3);
        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m3.named_parameters().First(q => q.name == name).parameter).all().item<bool>(), $"{name} differs");
    }

    [Fact]
    public void A_folder_that_holds_a_run_is_not_overwritten_without_resume()
    {
        using var folder = new TempFolder();
        var (m, o) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("a")), new TrainingState().Add("m", m, o), "{}", 1))
            Train(run, m, o, epochs: 1);
        var error = Assert.Throws<RunFolderRefusedException>(() => TrainingRun.Start(new TrainingRunOptions(folder.File("a")), new TrainingState().Add("m", m, o), "{}", 1));
        Assert.Contains("--resume", error.Message);
    }

    [Fact]
    public void Resuming_with_another_configuration_is_refused()
    {
        using var folder = new TempFolder();
        var (m, o) = Fresh();
        using (var run = TrainingRun.Start(new TrainingRunOptions(folder.File("a")), new TrainingState().Add("m", m, o), "{\"lr\":0.05}", 1))
            Train(run, m, o, epochs: 1);
        var error = Assert.Throws<RunFolderRefusedException>(() =>
            TrainingRun.Start(new TrainingRunOptions(folder.File("a"), Resume: true), new TrainingState().Add("m", m, o), "{\"lr\":0.1}", 1));
        Assert.Contains("another configuration", error.Message);
    }

    [Fact]
    public void A_run_in_memory_logs_but_saves_nothing()
    {
        var (m, o) = Fresh();
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null, CheckpointEvery: 1), new TrainingState().Add("m", m, o), "{}", 1);
        Train(run, m, o, epochs: 2);
        Assert.Equal(10, run.Log.Series("loss").Steps.Length);
        Assert.Null(run.Save());
    }
}
