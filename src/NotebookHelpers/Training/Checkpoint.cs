using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using NotebookHelpers.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NotebookHelpers.Training;

/// <summary>
/// The modules (and their optimizers) that make up a training run, each under a name that becomes its file name:
/// <c>new TrainingState().Add("generator", g, gOptimizer).Add("discriminator", d, dOptimizer)</c>.
/// </summary>
public sealed partial class TrainingState
{
    readonly List<Part> _parts = [];

    /// <summary>One named module with its optimizer, if it has one.</summary>
    public sealed record Part(string Name, nn.Module Module, OptimizerHelper? Optimizer);

    /// <summary>The parts in the order added.</summary>
    public IReadOnlyList<Part> Parts => _parts;

    /// <summary>Adds a module, and the optimizer that trains it (its moments are saved too, so a resumed run continues exactly).</summary>
    public TrainingState Add(string name, nn.Module module, optim.Optimizer? optimizer = null)
    {
        if (!SafeName().IsMatch(name))
            throw new ArgumentException($"Part name '{name}' must be letters, digits, '_', '-' or '.', because it names files.", nameof(name));
        if (_parts.Any(p => p.Name == name))
            throw new ArgumentException($"A part named '{name}' was already added.", nameof(name));
        var helper = optimizer switch
        {
            null => null,
            OptimizerHelper h => h,
            _ => throw new ArgumentException($"Optimizer {optimizer.GetType().Name} cannot save its state (it is not a TorchSharp OptimizerHelper).", nameof(optimizer)),
        };
        _parts.Add(new Part(name, module, helper));
        return this;
    }

    /// <summary>Whether <paramref name="name"/> can name a file in a checkpoint folder.</summary>
    public static bool IsSafeName(string name) => SafeName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex SafeName();
}

/// <summary>What a saved checkpoint records besides the weights.</summary>
/// <param name="Folder">The checkpoint's folder (<c>step-000001000</c> inside the checkpoint directory).</param>
/// <param name="Step">The number of training steps completed when it was saved: the step to continue from.</param>
/// <param name="Epoch">The epoch given when saving, if any.</param>
/// <param name="SavedAt">When it was saved (UTC).</param>
/// <param name="Metrics">Metric values given when saving (for example the latest validation score).</param>
/// <param name="Notes">Free-form strings given when saving (the profile, the git commit, ...).</param>
/// <param name="Files">The text files saved beside the weights (<c>config.json</c>, <c>run.json</c>), by name.</param>
public sealed record CheckpointInfo(
    string Folder,
    long Step,
    int? Epoch,
    DateTimeOffset SavedAt,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Notes,
    IReadOnlyList<string> Files)
{
    /// <summary>The text of a file saved with <c>files:</c>, or null when this checkpoint has none of that name.</summary>
    public string? ReadFile(string name) =>
        Files.Contains(name) ? File.ReadAllText(Path.Combine(Folder, name)) : null;
}

/// <summary>A checkpoint file does not fit the module it is loaded into.</summary>
public sealed class CheckpointMismatchException(string filePath, string partName, string parameterName, string detail)
    : Exception($"Checkpoint file '{filePath}' does not match the model '{partName}': parameter '{parameterName}' {detail}.")
{
    public string FilePath { get; } = filePath;
    public string PartName { get; } = partName;
    public string ParameterName { get; } = parameterName;
}

/// <summary>
/// Saves and restores a training run so that an interrupted run resumes where it stopped.
/// </summary>
/// <remarks>
/// Layout: one folder per checkpoint, <c>{directory}/step-000001000/</c>, holding per part <c>{name}.model.bin</c>
/// (TorchSharp's <c>module.save</c> format), <c>{name}.optimizer.bin</c> (<c>optimizer.save_state_dict</c>) and
/// one <c>checkpoint.json</c> with the step, epoch, metrics, notes, file sizes and every parameter's shape.
/// Each file is written atomically (<see cref="AtomicFile"/>), and <c>checkpoint.json</c> is written last: a folder
/// without it is an unfinished save and is ignored, so an interrupted save never replaces the previous good
/// checkpoint. Older checkpoints are pruned only after the new one is complete.
/// </remarks>
public static class Checkpoint
{
    const string SidecarName = "checkpoint.json";
    const string FolderPrefix = "step-";
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a diverged metric is NaN
    };

    /// <summary>
    /// Saves every part of <paramref name="state"/> as the checkpoint for <paramref name="step"/> completed steps,
    /// then deletes all but the newest <paramref name="keepLast"/> checkpoints in <paramref name="directory"/>.
    /// </summary>
    public static CheckpointInfo Save(
        string directory,
        TrainingState state,
        long step,
        int? epoch = null,
        IReadOnlyDictionary<string, double>? metrics = null,
        IReadOnlyDictionary<string, string>? notes = null,
        int keepLast = 2,
        IReadOnlyDictionary<string, string>? files = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        if (state.Parts.Count == 0) throw new ArgumentException("The training state has no parts to save.", nameof(state));

        var folder = Path.Combine(Path.GetFullPath(directory), FolderName(step));
        Directory.CreateDirectory(folder);
        // Saving the same step again: un-commit the old one first, so a crash midway never pairs old and new files.
        File.Delete(Path.Combine(folder, SidecarName));
        // A save killed midway leaves AtomicFile's temporary files here; this save replaces them.
        foreach (var stale in Directory.EnumerateFiles(folder, ".*.tmp")) File.Delete(stale);

        var parts = new List<PartRecord>();
        foreach (var part in state.Parts)
        {
            var weightsFile = part.Name + ".model.bin";
            AtomicFile.Write(Path.Combine(folder, weightsFile), path => part.Module.save(path));
            string? optimizerFile = null;
            if (part.Optimizer is { } optimizer)
            {
                optimizerFile = part.Name + ".optimizer.bin";
                AtomicFile.Write(Path.Combine(folder, optimizerFile), path => optimizer.save_state_dict(path));
            }
            parts.Add(new PartRecord(
                part.Name,
                weightsFile,
                new FileInfo(Path.Combine(folder, weightsFile)).Length,
                optimizerFile,
                optimizerFile is null ? null : new FileInfo(Path.Combine(folder, optimizerFile)).Length,
                DescribeParameters(part.Module)));
        }

        var extras = new List<FileRecord>();
        foreach (var (name, text) in files ?? new Dictionary<string, string>())
        {
            if (!TrainingState.IsSafeName(name) || name == SidecarName)
                throw new ArgumentException($"Checkpoint file name '{name}' must be letters, digits, '_', '-' or '.' and not {SidecarName}.", nameof(files));
            AtomicFile.WriteAllText(Path.Combine(folder, name), text);
            extras.Add(new FileRecord(name, new FileInfo(Path.Combine(folder, name)).Length));
        }

        var sidecar = new Sidecar(
            Format: 1,
            Step: step,
            Epoch: epoch,
            SavedAt: DateTimeOffset.UtcNow,
            Metrics: new Dictionary<string, double>(metrics ?? new Dictionary<string, double>()),
            Notes: new Dictionary<string, string>(notes ?? new Dictionary<string, string>()),
            Parts: parts,
            Files: extras);
        AtomicFile.WriteAllText(Path.Combine(folder, SidecarName), JsonSerializer.Serialize(sidecar, Json));

        Prune(Path.GetFullPath(directory), keepLast, justSaved: folder);
        return ToInfo(folder, sidecar);
    }

    /// <summary>
    /// Loads the newest complete checkpoint in <paramref name="directory"/> into <paramref name="state"/> and returns
    /// the step to continue from, or null when there is no checkpoint (a fresh start). Weights and optimizer state
    /// are only changed once every file has been checked against the model.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint was saved from a different model.</exception>
    public static long? TryLoadLatest(string directory, TrainingState state)
    {
        var latest = FindLatest(directory);
        if (latest is null) return null;
        return Load(latest.Folder, state).Step;
    }

    /// <summary>
    /// The newest complete checkpoint in <paramref name="directory"/> (the last saved; of two saved at once, the higher
    /// step), without loading it; null when there is none. <paramref name="directory"/> may also be one checkpoint's
    /// own <c>step-…</c> folder, the path a training run prints. A <c>step-…</c> folder whose
    /// <c>checkpoint.json</c> is not valid is not a checkpoint: it is passed over, and never deleted.
    /// </summary>
    public static CheckpointInfo? FindLatest(string directory)
    {
        if (IsCheckpointFolder(directory))
            return TryReadSidecar(directory, out _) is { } sidecar && FilesIntact(directory, sidecar) ? ToInfo(Path.GetFullPath(directory), sidecar) : null;
        return FindComplete(directory).OrderByDescending(c => c.Sidecar.SavedAt).ThenByDescending(c => c.Sidecar.Step)
            .Select(c => ToInfo(c.Folder, c.Sidecar)).FirstOrDefault();
    }

    /// <summary>
    /// Why <see cref="FindLatest"/> finds nothing in <paramref name="directory"/>, in one line for an error message:
    /// no such folder, no <c>step-…</c> folders, or what is wrong with each (an unfinished save, an unreadable
    /// <c>checkpoint.json</c>, a file shorter or longer than the save recorded).
    /// </summary>
    public static string WhyNoCheckpoint(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) return $"there is no folder {full}";
        var folders = Path.GetFileName(Path.TrimEndingDirectorySeparator(full)).StartsWith(FolderPrefix, StringComparison.Ordinal)
            ? [full]
            : Directory.GetDirectories(full, FolderPrefix + "*").Order(StringComparer.Ordinal).ToArray();
        if (folders.Length == 0) return $"{full} holds no {FolderPrefix}… checkpoint folders";
        return string.Join("; ", folders.Select(folder => $"{Path.GetFileName(folder)}: {Problem(folder)}"));
    }

    static string Problem(string folder)
    {
        if (!File.Exists(Path.Combine(folder, SidecarName))) return $"an unfinished save (no {SidecarName})";
        if (TryReadSidecar(folder, out var error) is not { } sidecar) return error!;
        var damaged = sidecar.Parts.SelectMany(p => new[] { (p.WeightsFile, (long?)p.WeightsBytes), (p.OptimizerFile, p.OptimizerBytes) })
            .Concat((sidecar.Files ?? []).Select(f => ((string?)f.Name, (long?)f.Bytes)))
            .Where(f => f.Item1 is not null && !SizeIs(Path.Combine(folder, f.Item1), f.Item2))
            .Select(f => File.Exists(Path.Combine(folder, f.Item1!))
                ? $"{f.Item1} is {new FileInfo(Path.Combine(folder, f.Item1!)).Length} bytes, the save wrote {f.Item2}"
                : $"{f.Item1} is missing");
        return string.Join(", ", damaged) is { Length: > 0 } text ? text + " (truncated or replaced?)" : "complete";
    }

    static bool IsCheckpointFolder(string directory) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))).StartsWith(FolderPrefix, StringComparison.Ordinal)
        && File.Exists(Path.Combine(directory, SidecarName));

    /// <summary>Loads the checkpoint in <paramref name="folder"/> (a <c>step-…</c> folder) into <paramref name="state"/>.</summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint was saved from a different model.</exception>
    public static CheckpointInfo Load(string folder, TrainingState state)
    {
        folder = Path.GetFullPath(folder);
        var sidecar = TryReadSidecar(folder, out var error)
            ?? throw (error is null
                ? new FileNotFoundException($"{folder} is not a complete checkpoint: {SidecarName} is missing.", Path.Combine(folder, SidecarName))
                : new InvalidDataException(error));

        var records = state.Parts.Select(part => (part, record: sidecar.Parts.FirstOrDefault(r => r.Name == part.Name)
            ?? throw new InvalidOperationException(
                $"The checkpoint in {folder} has no part '{part.Name}'; it has: {string.Join(", ", sidecar.Parts.Select(r => r.Name))}."))).ToList();
        foreach (var (part, record) in records)
        {
            CheckParameters(Path.Combine(folder, record.WeightsFile), part, record.Parameters);
            if (part.Optimizer is not null && record.OptimizerFile is null)
                throw new InvalidOperationException($"The checkpoint in {folder} has no optimizer state for '{part.Name}'.");
        }

        foreach (var (part, record) in records)
        {
            LoadFile(Path.Combine(folder, record.WeightsFile), path => part.Module.load(path));
            if (part.Optimizer is { } optimizer)
                LoadFile(Path.Combine(folder, record.OptimizerFile!), optimizer.load_state_dict);
        }
        return ToInfo(folder, sidecar);
    }

    static string FolderName(long step) => FolderPrefix + step.ToString("D9", CultureInfo.InvariantCulture);

    static List<ParameterRecord> DescribeParameters(nn.Module module) =>
        module.state_dict().Select(kv => new ParameterRecord(kv.Key, kv.Value.shape, kv.Value.dtype.ToString())).ToList();

    static void CheckParameters(string file, TrainingState.Part part, IReadOnlyList<ParameterRecord> saved)
    {
        var model = part.Module.state_dict();
        foreach (var p in saved)
        {
            if (!model.TryGetValue(p.Name, out var tensor))
                throw new CheckpointMismatchException(file, part.Name, p.Name, "is in the file but not in the model");
            if (!tensor.shape.SequenceEqual(p.Shape))
                throw new CheckpointMismatchException(file, part.Name, p.Name,
                    $"has shape [{string.Join(", ", p.Shape)}] in the file but [{string.Join(", ", tensor.shape)}] in the model");
            if (tensor.dtype.ToString() != p.DType)
                throw new CheckpointMismatchException(file, part.Name, p.Name, $"is {p.DType} in the file but {tensor.dtype} in the model");
        }
        var savedNames = saved.Select(p => p.Name).ToHashSet();
        var missing = model.Keys.FirstOrDefault(name => !savedNames.Contains(name));
        if (missing is not null)
            throw new CheckpointMismatchException(file, part.Name, missing, "is in the model but not in the file");
    }

    static void LoadFile(string path, Action<string> load)
    {
        try
        {
            load(path);
        }
        catch (Exception e) when (e is not CheckpointMismatchException)
        {
            throw new InvalidDataException($"Could not load checkpoint file '{path}': {e.Message}", e);
        }
    }

    static IEnumerable<(string Folder, Sidecar Sidecar)> FindComplete(string directory)
    {
        if (!Directory.Exists(directory)) yield break;
        foreach (var folder in Directory.EnumerateDirectories(Path.GetFullPath(directory), FolderPrefix + "*"))
            if (TryReadSidecar(folder, out _) is { } sidecar && FilesIntact(folder, sidecar))
                yield return (folder, sidecar);
    }

    /// <summary>The folder's sidecar; null when it has none (an unfinished save) or one that does not parse (<paramref name="error"/> says why).</summary>
    static Sidecar? TryReadSidecar(string folder, out string? error)
    {
        error = null;
        var path = Path.Combine(folder, SidecarName);
        if (!File.Exists(path)) return null;
        try
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(path), Json);
            if (sidecar?.Parts is not null) return sidecar;
            error = $"{path} is not a checkpoint description (it has no parts).";
        }
        catch (JsonException e)
        {
            error = $"{path} is not valid JSON ({e.Message.Split('.')[0]}); the checkpoint in {folder} cannot be read.";
        }
        return null;
    }

    static bool FilesIntact(string folder, Sidecar sidecar) =>
        sidecar.Parts.All(p =>
            SizeIs(Path.Combine(folder, p.WeightsFile), p.WeightsBytes)
            && (p.OptimizerFile is null || SizeIs(Path.Combine(folder, p.OptimizerFile), p.OptimizerBytes)))
        && (sidecar.Files ?? []).All(f => SizeIs(Path.Combine(folder, f.Name), f.Bytes));

    static bool SizeIs(string path, long? bytes) => File.Exists(path) && new FileInfo(path).Length == bytes;

    static void Prune(string directory, int keepLast, string justSaved)
    {
        var keep = FindComplete(directory).OrderByDescending(c => c.Sidecar.Step).Take(keepLast).Select(c => c.Folder).ToHashSet();
        keep.Add(justSaved);
        // Older complete checkpoints and unfinished saves go; a folder with an unreadable checkpoint.json stays, as
        // this run cannot tell what it is.
        foreach (var folder in Directory.EnumerateDirectories(directory, FolderPrefix + "*"))
        {
            if (keep.Contains(folder)) continue;
            bool unfinished = !File.Exists(Path.Combine(folder, SidecarName));
            if (unfinished || TryReadSidecar(folder, out _) is not null)
                Directory.Delete(folder, recursive: true);
        }
    }

    static CheckpointInfo ToInfo(string folder, Sidecar s) =>
        new(folder, s.Step, s.Epoch, s.SavedAt, s.Metrics, s.Notes, [.. (s.Files ?? []).Select(f => f.Name)]);

    sealed record ParameterRecord(string Name, long[] Shape, string DType);

    sealed record PartRecord(string Name, string WeightsFile, long WeightsBytes, string? OptimizerFile, long? OptimizerBytes, List<ParameterRecord> Parameters);

    sealed record FileRecord(string Name, long Bytes);

    // Files is absent in checkpoints written before it existed: they read as having no extra files.
    sealed record Sidecar(int Format, long Step, int? Epoch, DateTimeOffset SavedAt, Dictionary<string, double> Metrics, Dictionary<string, string> Notes, List<PartRecord> Parts, List<FileRecord>? Files = null);
}
