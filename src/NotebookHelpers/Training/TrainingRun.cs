using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Training;

/// <summary>A run folder that cannot be used as asked: it holds another run (and no --resume), or a run with another configuration.</summary>
public sealed class RunFolderRefusedException(string message) : InvalidOperationException(message);

/// <summary>Where a run keeps its checkpoints and how often it saves them.</summary>
/// <param name="Directory">The run's folder (checkpoints, <c>metrics.csv</c>); null for a run held in memory only (a notebook's quick look).</param>
/// <param name="CheckpointEvery">Save after every this many steps, besides the end of every epoch.</param>
/// <param name="KeepLast">How many checkpoints to keep; older ones are deleted once a newer one is complete.</param>
/// <param name="Resume">Continue from the newest checkpoint in <paramref name="Directory"/>; without it a folder that already holds a run is refused, not overwritten.</param>
public sealed record TrainingRunOptions(string? Directory, long CheckpointEvery = 500, int KeepLast = 2, bool Resume = false);

/// <summary>
/// A training run that survives a kill: it checkpoints every <see cref="TrainingRunOptions.CheckpointEvery"/> steps
/// and at every epoch's end (atomically, keeping the last few), and with <c>Resume</c> continues from the newest
/// checkpoint with everything that decides the rest of the run restored: the model and optimiser state, the step and
/// epoch, the shuffling generator's state at the start of the current epoch (so the epoch's order is drawn again, and
/// the batches already trained on are skipped), libtorch's global generator, and the metrics log. For the same seed a resumed run therefore ends
/// with the same weights, bit for bit on the CPU, as one that was never interrupted.
/// </summary>
/// <remarks>
/// The loop stays the caller's, so a notebook can show it:
/// <code>
/// foreach (var epoch in run.Epochs(config.Epochs))
/// {
///     foreach (var batch in run.Skip(split.Batches(config.BatchSize, run.Shuffle, device)))
///         run.Completed(epoch, Step(batch));
///     run.EndEpoch(epoch);
/// }
/// </code>
/// Besides the shuffling generator, libtorch's global CPU generator is saved with every checkpoint and restored on
/// resume, so a model that draws from it while training (dropout) continues with the same masks. The CUDA generators
/// are not saved: on a GPU a resumed run with dropout draws other masks.
/// </remarks>
public sealed class TrainingRun : IDisposable
{
    const string ConfigFile = "config.json";
    const string PositionFile = "run.json";

    readonly TrainingRunOptions _options;
    readonly TrainingState _state;
    readonly string _configJson;
    byte[] _epochStartShuffle;
    long _skip;

    TrainingRun(TrainingRunOptions options, TrainingState state, string configJson, ulong seed, MetricsLog log)
    {
        _options = options;
        _state = state;
        _configJson = configJson;
        Shuffle = new Generator(seed);
        _epochStartShuffle = ShuffleState();
        Log = log;
    }

    /// <summary>The generator that orders each epoch's batches; pass it to the split's batching.</summary>
    public Generator Shuffle { get; }

    /// <summary>Steps completed so far (resumed runs count the steps before the interruption).</summary>
    public long Step { get; private set; }

    /// <summary>The epoch the next step belongs to.</summary>
    public int Epoch { get; private set; }

    /// <summary>Steps completed in the current epoch.</summary>
    public long StepInEpoch { get; private set; }

    /// <summary>Every value logged, the interrupted run's included; written to <c>metrics.csv</c> when the run has a folder.</summary>
    public MetricsLog Log { get; }

    /// <summary>The checkpoint this run resumed from, or null for a fresh start.</summary>
    public CheckpointInfo? ResumedFrom { get; private set; }

    /// <summary>
    /// Starts a run, or resumes one when <see cref="TrainingRunOptions.Resume"/> is set and the folder holds a
    /// checkpoint. A resumed run writes <c>resumed at step N, epoch E, from DIR</c> to <paramref name="output"/> first.
    /// </summary>
    /// <param name="options">The folder, how often to save, whether to resume.</param>
    /// <param name="state">The modules and optimisers to save and restore.</param>
    /// <param name="configJson">The run's configuration; saved beside every checkpoint, and a resumed run must have the same one.</param>
    /// <param name="seed">Seeds the shuffling generator of a fresh run.</param>
    /// <param name="output">Where the resumed line goes.</param>
    /// <exception cref="InvalidOperationException">The folder already holds a run and <c>Resume</c> was not asked for, or the checkpoint's configuration differs.</exception>
    public static TrainingRun Start(TrainingRunOptions options, TrainingState state, string configJson, ulong seed, TextWriter? output = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckpointEvery, 1);
        if (options.Directory is null)
            return new TrainingRun(options, state, configJson, seed, new MetricsLog());

        EnsureUsable(options);
        var directory = Path.GetFullPath(options.Directory);
        var csv = Path.Combine(directory, "metrics.csv");
        var latest = Checkpoint.FindLatest(directory);
        if (latest is null)
            return new TrainingRun(options, state, configJson, seed, MetricsLog.CreateCsv(csv));

        var position = ReadPosition(latest, configJson);
        Checkpoint.Load(latest.Folder, state);
        // Rows logged after this checkpoint by the interrupted run are dropped: the resumed run logs those steps again.
        var run = new TrainingRun(options, state, configJson, seed, MetricsLog.ResumeCsv(csv, latest.Step + 1))
        {
            Step = latest.Step,
            Epoch = position.Epoch,
            StepInEpoch = position.StepInEpoch,
            ResumedFrom = latest,
        };
        run._epochStartShuffle = Convert.FromBase64String(position.EpochStartShuffle);
        run.RestoreShuffle(run._epochStartShuffle);
        run._skip = position.StepInEpoch;
        if (position.GlobalRandom is { } global) RestoreGlobalRandom(Convert.FromBase64String(global));
        output?.WriteLine($"resumed at step {latest.Step}, epoch {position.Epoch}, from {latest.Folder}");
        return run;
    }

    /// <summary>
    /// Refuses, before any work, a folder <see cref="Start"/> would refuse: one that holds a run (a checkpoint, or a
    /// training log) when <see cref="TrainingRunOptions.Resume"/> was not asked for. A caller that must load its data
    /// before it can start the run (its configuration depends on the data) calls this first.
    /// </summary>
    /// <exception cref="RunFolderRefusedException">The folder holds a run and Resume is off.</exception>
    public static void EnsureUsable(TrainingRunOptions options)
    {
        if (options.Directory is null || options.Resume) return;
        var directory = Path.GetFullPath(options.Directory);
        if (Checkpoint.FindLatest(directory) is { } latest)
            throw new RunFolderRefusedException($"{directory} already holds a training run (checkpoint at step {latest.Step}); continue it with --resume, or choose another --out.");
        if (File.Exists(Path.Combine(directory, "metrics.csv")))
            throw new RunFolderRefusedException($"{directory} already holds a training log (metrics.csv) but no checkpoint; choose another --out, or remove it yourself.");
    }

    /// <summary>The epochs still to train, from the current one up to <paramref name="total"/> (exclusive).</summary>
    public IEnumerable<int> Epochs(int total)
    {
        while (Epoch < total)
        {
            // A fresh epoch remembers the generator's state before its order is drawn; a resumed one restored it.
            if (StepInEpoch == 0) _epochStartShuffle = ShuffleState();
            var epoch = Epoch;
            yield return epoch;
            if (Epoch == epoch)
                throw new InvalidOperationException($"Epoch {epoch} was not ended: call EndEpoch({epoch}) after its last step.");
        }
    }

    /// <summary>The epoch's batches less those a resumed run already trained on.</summary>
    public IEnumerable<T> Skip<T>(IEnumerable<T> batches)
    {
        foreach (var batch in batches)
        {
            if (_skip > 0) { _skip--; continue; }
            yield return batch;
        }
    }

    /// <summary>Records one completed step's values and saves a checkpoint when one is due.</summary>
    public void Completed(int epoch, params (string Name, double Value)[] values)
    {
        Step++;
        StepInEpoch++;
        Log.Log(Step, epoch, values);
        if (Step % _options.CheckpointEvery == 0) Save();
    }

    /// <summary>Ends an epoch: logs its validation values, if any, and saves a checkpoint.</summary>
    public CheckpointInfo? EndEpoch(int epoch, params (string Name, double Value)[] validation)
    {
        if (epoch != Epoch) throw new ArgumentException($"The current epoch is {Epoch}, not {epoch}.", nameof(epoch));
        if (validation.Length > 0) Log.Log(Step, epoch, validation);
        Epoch++;
        StepInEpoch = 0;
        _skip = 0;
        _epochStartShuffle = ShuffleState();
        return Save();
    }

    /// <summary>Saves a checkpoint of the current state now (a run held in memory saves nothing).</summary>
    public CheckpointInfo? Save()
    {
        if (_options.Directory is null) return null;
        var position = new Position(Epoch, StepInEpoch, Convert.ToBase64String(_epochStartShuffle), Convert.ToBase64String(GlobalRandomState()));
        return Checkpoint.Save(_options.Directory, _state, Step, Epoch, keepLast: _options.KeepLast,
            files: new Dictionary<string, string> { [ConfigFile] = _configJson, [PositionFile] = JsonSerializer.Serialize(position) });
    }

    /// <summary>
    /// The network of the newest complete checkpoint in <paramref name="folder"/> (a run's folder or one of its
    /// <c>step-…</c> folders): built by <paramref name="build"/> from the configuration saved with it, its weights loaded
    /// from the checkpoint's <paramref name="stateName"/> entry, moved to <paramref name="device"/>.
    /// </summary>
    /// <param name="folder">A run's folder, or one of its checkpoint folders.</param>
    /// <param name="stateName">The name the network's weights were saved under (<c>network</c>, <c>generator</c>).</param>
    /// <param name="build">The untrained network, from the saved configuration.</param>
    /// <param name="device">Where the network goes.</param>
    /// <param name="trainCommand">The command that writes such folders, for the error (<c>nbh train segnet</c>).</param>
    /// <exception cref="FileNotFoundException">The folder holds no complete checkpoint (the message says what it holds instead).</exception>
    /// <exception cref="InvalidDataException">The checkpoint's files are damaged or were not written by this program.</exception>
    public static (TNetwork Network, TConfig Config, CheckpointInfo Checkpoint) LoadNetwork<TConfig, TNetwork>(
        string folder, string trainCommand, string stateName, Func<TConfig, TNetwork> build, Device device) where TNetwork : nn.Module
    {
        var latest = Checkpoint.FindLatest(folder)
            ?? throw new FileNotFoundException($"No complete checkpoint in {folder}: {Checkpoint.WhyNoCheckpoint(folder)}. Train one with `{trainCommand} --out DIR`.", folder);
        var saved = ReadConfig<TConfig>(latest);
        var network = build(saved);
        try
        {
            Checkpoint.Load(latest.Folder, new TrainingState().Add(stateName, network));
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.to(device);
        return (network, saved, latest);
    }

    /// <summary>The configuration a run saved with its checkpoints (what <c>nbh predict</c> builds the model from).</summary>
    public static T ReadConfig<T>(CheckpointInfo checkpoint)
    {
        var text = checkpoint.ReadFile(ConfigFile)
            ?? throw new InvalidDataException($"The checkpoint in {checkpoint.Folder} has no {ConfigFile}; it was written by an older version: train it again.");
        try
        {
            return JsonSerializer.Deserialize<T>(text)
                ?? throw new InvalidDataException($"{Path.Combine(checkpoint.Folder, ConfigFile)} holds no configuration.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path.Combine(checkpoint.Folder, ConfigFile)} is not the configuration this program writes ({e.Message.Split('.')[0]}).", e);
        }
    }

    public void Dispose()
    {
        Log.Dispose();
        Shuffle.Dispose();
    }

    byte[] ShuffleState()
    {
        using var state = Shuffle.get_state();
        return state.data<byte>().ToArray();
    }

    static byte[] GlobalRandomState()
    {
        using var state = get_rng_state();
        return state.data<byte>().ToArray();
    }

    static void RestoreGlobalRandom(byte[] bytes)
    {
        using var state = tensor(bytes, dtype: ScalarType.Byte);
        set_rng_state(state);
    }

    void RestoreShuffle(byte[] bytes)
    {
        using var state = tensor(bytes, dtype: ScalarType.Byte);
        Shuffle.set_state(state);
    }

    /// <summary>Where the checkpoint's run stood, after checking it was saved with the same configuration.</summary>
    static Position ReadPosition(CheckpointInfo latest, string configJson)
    {
        try
        {
            var savedConfig = latest.ReadFile(ConfigFile);
            if (savedConfig is not null && !JsonEquals(savedConfig, configJson))
                throw new RunFolderRefusedException($"The checkpoint in {latest.Folder} was trained with another configuration ({savedConfig.ReplaceLineEndings(" ")}); resume with the same options, or choose another --out.");
            return JsonSerializer.Deserialize<Position>(latest.ReadFile(PositionFile)
                ?? throw new InvalidOperationException($"The checkpoint in {latest.Folder} has no {PositionFile}: it was not written by a resumable run."))
                ?? throw new InvalidDataException($"{Path.Combine(latest.Folder, PositionFile)} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The checkpoint in {latest.Folder} holds a damaged {ConfigFile} or {PositionFile} ({e.Message.Split('.')[0]}); resume from an intact copy, or start again in another --out.", e);
        }
    }

    static bool JsonEquals(string a, string b) =>
        JsonSerializer.Serialize(JsonDocument.Parse(a).RootElement) == JsonSerializer.Serialize(JsonDocument.Parse(b).RootElement);

    /// <summary>Where a checkpoint's run stood: its epoch, the step within it, the shuffling generator at the epoch's
    /// start, and libtorch's global CPU generator at the save (dropout draws from it; null in checkpoints written before
    /// it was saved, which resume without it).</summary>
    sealed record Position(int Epoch, long StepInEpoch, string EpochStartShuffle, string? GlobalRandom = null);
}
