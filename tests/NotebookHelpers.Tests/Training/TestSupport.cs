namespace NotebookHelpers.Tests.Training;

/// <summary>A clock that only moves when told to.</summary>
sealed class FakeClock : TimeProvider
{
    long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan time) => _ticks += time.Ticks;
}

static class TensorAssert
{
    /// <summary>Same shape and exactly the same values.</summary>
    public static void Same(TorchSharp.torch.Tensor expected, TorchSharp.torch.Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(),
            $"tensors differ:\n{expected.ToString(TorchSharp.TensorStringStyle.Numpy)}\nvs\n{actual.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    }
}
