using NotebookHelpers.Imaging;
using SixLabors.ImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Data;

/// <summary>A sample left out because one of its files could not be read: that file and why.</summary>
public sealed record SkippedSample(string Path, string Reason);

/// <summary>
/// A map-style dataset over samples stored as files (an image and its targets), decoded lazily in
/// <see cref="GetTensor"/> into a dictionary of named tensors, which TorchSharp's <c>DataLoader</c> stacks key by key.
/// <para>
/// A bad file must not end a training run inside a batch: <see cref="Validate"/> checks every file's header up front
/// and drops the samples that fail; a file that still fails when it is decoded is skipped at that moment, the next
/// good sample taking its place. Each skip is written once to the log and kept in <see cref="Skipped"/>.
/// </para>
/// </summary>
public abstract class FileDataset<TSample> : torch.utils.data.Dataset
{
    private readonly List<TSample> samples;
    private readonly List<SkippedSample> skipped = [];
    private readonly HashSet<int> failedToLoad = [];
    private readonly Lock gate = new();
    private readonly TextWriter log;

    /// <param name="samples">The samples, in order.</param>
    /// <param name="log">Where skipped files are reported; standard error when null.</param>
    protected FileDataset(IEnumerable<TSample> samples, TextWriter? log = null)
    {
        this.samples = [.. samples];
        this.log = log ?? Console.Error;
    }

    public IReadOnlyList<TSample> Samples => samples;

    public override long Count => samples.Count;

    /// <summary>How many samples were left out, by <see cref="Validate"/> or while loading.</summary>
    public int SkippedCount
    {
        get { lock (gate) return skipped.Count; }
    }

    public IReadOnlyList<SkippedSample> Skipped
    {
        get { lock (gate) return [.. skipped]; }
    }

    /// <summary>Every file the sample is read from.</summary>
    protected abstract IEnumerable<string> FilesOf(TSample sample);

    /// <summary>Decodes one sample; a file problem surfaces as an <see cref="IOException"/> or <see cref="InvalidDataException"/>.</summary>
    protected abstract Dictionary<string, Tensor> Load(TSample sample);

    /// <summary>
    /// Why the file cannot be used, or null when it can. The default makes the checks of <see cref="ImageIO.Check"/>
    /// (a whole PNG or JPEG within the pixel limit), so that a truncated or oversized image is dropped before training
    /// starts rather than met inside a batch; it reads each file once, but decodes none.
    /// </summary>
    protected virtual string? ProblemWith(string path)
    {
        if (!File.Exists(path))
            return "the file is missing";
        try
        {
            ImageIO.Check(path);
            return null;
        }
        catch (Exception e) when (IsFileProblem(e))
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Drops the samples with a file that <see cref="ProblemWith"/> rejects, or that already failed to load, reporting
    /// each; returns how many were dropped. Call it before creating a DataLoader, never while one iterates.
    /// </summary>
    public int Validate()
    {
        var kept = new List<TSample>(samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            if (HasFailed(i))
                continue;
            var problem = FilesOf(samples[i])
                .Select(path => (Path: path, Reason: ProblemWith(path)))
                .FirstOrDefault(check => check.Reason is not null);
            if (problem.Reason is null)
                kept.Add(samples[i]);
            else
                Skip(problem.Path, problem.Reason);
        }
        var dropped = samples.Count - kept.Count;
        lock (gate)
        {
            samples.Clear();
            samples.AddRange(kept);
            failedToLoad.Clear();
        }
        return dropped;
    }

    /// <summary>
    /// Sample <paramref name="index"/>, or when its files fail to decode, the next sample that loads (wrapping round);
    /// throws only when no sample at all can be loaded.
    /// </summary>
    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        for (var step = 0; step < samples.Count; step++)
        {
            var i = (int)((index + step) % samples.Count);
            if (HasFailed(i))
                continue;
            using var scope = NewDisposeScope();
            try
            {
                var tensors = Load(samples[i]);
                foreach (var tensor in tensors.Values)
                    tensor.MoveToOuterDisposeScope();
                return tensors;
            }
            catch (Exception e) when (IsFileProblem(e))
            {
                bool firstFailure;
                lock (gate) firstFailure = failedToLoad.Add(i);
                if (firstFailure)
                    Skip(Culprit(samples[i], e), e.Message);
            }
        }
        throw new InvalidDataException(
            $"None of the {samples.Count} samples could be loaded; {nameof(Skipped)} lists each file and why.");
    }

    private bool HasFailed(int index)
    {
        lock (gate) return failedToLoad.Contains(index);
    }

    private void Skip(string path, string reason)
    {
        lock (gate)
        {
            skipped.Add(new SkippedSample(path, reason));
            log.WriteLine($"Skipping a sample: {path}: {reason}");
        }
    }

    private string Culprit(TSample sample, Exception e)
    {
        if (e is FileNotFoundException { FileName: { } missing })
            return missing;
        var files = FilesOf(sample).ToList();
        // Image readers name the file in their message; fall back to all of the sample's files.
        return files.FirstOrDefault(path => e.Message.Contains(path, StringComparison.Ordinal))
            ?? string.Join(" + ", files);
    }

    private static bool IsFileProblem(Exception e) =>
        e is IOException or InvalidDataException or UnauthorizedAccessException or ImageFormatException;
}
