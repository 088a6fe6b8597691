using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// A CAM's output: <paramref name="Maps"/> (N, H, W) at the input's size in [0, 1] per image, and the channel weights
/// <paramref name="Weights"/> (N, C) that made them (α^c_k of the papers).
/// </summary>
public sealed record CamResult(Tensor Maps, Tensor Weights);
