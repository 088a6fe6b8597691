namespace NotebookHelpers.Notebooks;

/// <summary>One published number: which system, on which data, which metric, and where it is printed (table and section).
/// Each paper's reference class holds its own, so the notebook, the results record and the tests read one copy.</summary>
public sealed record ReferenceValue(string System, string Dataset, string Metric, double Value, string Source);
