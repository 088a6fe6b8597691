using static TorchSharp.torch;

namespace NotebookHelpers.Core;

/// <summary>One way to write a tensor's shape in messages: <c>(N,3,H,W)</c>-style, as the messages name expected shapes.</summary>
public static class Shapes
{
    /// <summary>The shape as <c>(2,3,4)</c>; a scalar as <c>()</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape) => "(" + string.Join(",", shape.ToArray()) + ")";

    /// <summary>The tensor's shape as <c>(2,3,4)</c>.</summary>
    public static string Format(Tensor tensor) => Format(tensor.shape);
}
