namespace NotebookHelpers.Tests;

/// <summary>libtorch's random generator is process-wide: tests whose outcome depends on it run alone, in this collection.</summary>
[CollectionDefinition(nameof(GlobalRandomState), DisableParallelization = true)]
public sealed class GlobalRandomState;
