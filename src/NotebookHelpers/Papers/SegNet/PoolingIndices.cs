using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// SegNet's central idea (Badrinarayanan et al., 2017, §3): every 2×2 max pooling of the encoder remembers <em>where</em>
/// each maximum was, and the matching decoder puts its values back at exactly those places. The upsampled map is
/// sparse (three zeros in every 2×2 window) and its non-zeros sit on the encoder's strongest responses, which lie on or
/// near object boundaries; trainable convolutions then densify it. Plain upsampling instead copies each value into
/// the whole window and loses where inside it the edge was.
/// </summary>
public static class PoolingIndices
{
    /// <summary>
    /// 2×2 max pooling with stride 2 of (N,C,H,W) → the maxima (N,C,H/2,W/2) and, for each, its flat index
    /// <c>row × W + column</c> in its own H×W plane (libtorch's convention, which <see cref="Unpool"/> reads).
    /// </summary>
    public static (Tensor Values, Tensor Indices) Pool(Tensor input)
    {
        RequireFourDimensions(input, nameof(input));
        return F.max_pool2d_with_indices(input, [2, 2], [2, 2]);
    }

    /// <summary>
    /// Max unpooling: a zero map of <paramref name="height"/>×<paramref name="width"/> per channel with each value of
    /// <paramref name="values"/> written at its index. <c>Unpool(Pool(x))</c> keeps every window's maximum at its place
    /// and is zero elsewhere. The size is passed because an odd input size cannot be recovered from the pooled one.
    /// </summary>
    public static Tensor Unpool(Tensor values, Tensor indices, long height, long width)
    {
        RequireFourDimensions(values, nameof(values));
        if (!values.shape.SequenceEqual(indices.shape))
            throw new ArgumentException($"The values ({string.Join('×', values.shape)}) and the indices ({string.Join('×', indices.shape)}) must have one shape.", nameof(indices));
        // A scatter into a zero plane is what max unpooling is (and its gradient gathers at the same indices).
        // TorchSharp 0.107's functional.max_unpool2d cannot be used here: it hands libtorch an empty output size.
        var (n, c) = (values.shape[0], values.shape[1]);
        return zeros([n, c, height * width], values.dtype, values.device)
            .scatter(2, indices.flatten(2), values.flatten(2))
            .view(n, c, height, width);
    }

    static void RequireFourDimensions(Tensor tensor, string name)
    {
        if (tensor.dim() != 4)
            throw new ArgumentException($"Expected a batch of feature maps (N,C,H,W); got {tensor.dim()} dimensions ({string.Join('×', tensor.shape)}).", name);
    }
}
