namespace NotebookHelpers.Tests;

/// <summary>
/// <see cref="NotebookHelpers.Imaging.ImageIO.MaxPixels"/> is process-wide: tests that lower it run alone, in this
/// collection, so that no other test's image is refused meanwhile.
/// </summary>
[CollectionDefinition(nameof(GlobalPixelLimit), DisableParallelization = true)]
public sealed class GlobalPixelLimit;
