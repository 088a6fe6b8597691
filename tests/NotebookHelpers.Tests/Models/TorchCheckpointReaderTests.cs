using NotebookHelpers.Models;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

/// <summary>
/// The reader against PyTorch's own files: Fixtures/ holds one state dict saved by PyTorch 1.13 in both formats
/// (environment/make-checkpoint-fixtures.py), with strides, offsets and four dtypes.
/// </summary>
public class TorchCheckpointReaderTests
{
    static string Fixture(string name) => TestPaths.Fixture("Models", name);

    [Fact]
    public void Legacy_and_zip_copies_of_one_state_dict_read_to_identical_tensors()
    {
        var legacy = TorchCheckpointReader.Read(Fixture("tiny-legacy.pth"));
        var zip = TorchCheckpointReader.Read(Fixture("tiny-zip.pth"));

        Assert.Equal(zip.Keys.Order(), legacy.Keys.Order());
        foreach (var (name, expected) in zip)
        {
            var actual = legacy[name];
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.to(float64).eq(actual.to(float64)).all().item<bool>(), name);
        }
    }

    [Fact]
    public void A_zip_checkpoint_pickled_with_protocol_4_reads_like_the_protocol_2_one()
    {
        // tiny-zip-protocol4.pth is tiny-zip.pth with its data.pkl re-pickled at protocol 4 (FRAME, MEMOIZE,
        // STACK_GLOBAL), as torch.save(..., pickle_protocol=4) writes it.
        var two = TorchCheckpointReader.Read(Fixture("tiny-zip.pth"));
        var four = TorchCheckpointReader.Read(Fixture("tiny-zip-protocol4.pth"));
        Assert.Equal(two.Keys.Order(), four.Keys.Order());
        foreach (var (name, expected) in two)
            Assert.True(expected.to(float64).eq(four[name].to(float64)).all().item<bool>(), name);
    }

    [Theory]
    [InlineData("tiny-legacy.pth")]
    [InlineData("tiny-zip.pth")]
    public void Strides_offsets_and_dtypes_come_out_as_saved(string file)
    {
        var legacy = TorchCheckpointReader.Read(Fixture(file));
        // arange(12).reshape(3,4).t(): row r of the transpose is column r of the original, 0 4 8 / 1 5 9 / ...
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, legacy["extra.transposed"].data<float>().ToArray());
        Assert.Equal(new long[] { 3, 4, 5, 6 }, legacy["extra.slice"].data<long>().ToArray());
        Assert.Equal(ScalarType.Float16, legacy["extra.half"].dtype);
        Assert.Equal(new double[] { 0.5, -2, 65504 }, legacy["extra.half"].to(float64).data<double>().ToArray());
        Assert.Equal(new double[] { -1, -0.5, 0, 0.5, 1 }, legacy["extra.double"].data<double>().ToArray());
        Assert.Equal(3L, legacy["bn.num_batches_tracked"].item<long>());
    }

    [Theory]
    [InlineData("tiny-legacy.pth")]
    [InlineData("tiny-zip.pth")]
    public void A_truncated_file_is_refused_not_misread(string file)
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Fixture(file));
        var truncated = folder.File("truncated-" + file);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 40)]);

        var error = Assert.Throws<WeightsLoadException>(() => PretrainedWeights.ReadStateDict(truncated));
        Assert.Contains(truncated, error.Message);
        Assert.Contains("data-scripts/weights.sh", error.Message);
    }

    [Fact]
    public void IsLegacy_tells_the_formats_apart()
    {
        Assert.True(TorchCheckpointReader.IsLegacy(File.ReadAllBytes(Fixture("tiny-legacy.pth"))));
        Assert.False(TorchCheckpointReader.IsLegacy(File.ReadAllBytes(Fixture("tiny-zip.pth"))));
    }
}
