using NotebookHelpers.Models;
using NotebookHelpers.Tests.Cli.Commands;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

/// <summary>The comparison behind <c>nbh weights check --reference</c>, on a ResNet-50 checkpoint and references written here.</summary>
public sealed class ReferenceComparisonTests(ResNetCheckpoint files) : IClassFixture<ResNetCheckpoint>
{
    string Reference(string name, Dictionary<string, Tensor> tensors)
    {
        var path = files.Folder.File(name);
        Safetensors.SaveStateDict(path, tensors);
        return path;
    }

    static Tensor Logits(string weights, Tensor input)
    {
        using var model = Backbones.Create(BackboneKind.ResNet50);
        PretrainedWeights.Load(model, weights, BackboneKind.ResNet50);
        using var noGrad = no_grad();
        return model.call(input);
    }

    [Fact]
    public void The_models_own_logits_differ_by_zero_and_shifted_ones_by_the_shift()
    {
        var input = rand(1, 3, 64, 64, generator: new Generator(3));
        var logits = Logits(files.Weights, input);

        var same = ReferenceComparison.Run(BackboneKind.ResNet50, files.Weights, Reference("same.safetensors", new() { ["input"] = input, ["logits"] = logits }));
        Assert.Equal([1L, 3, 64, 64], same.InputShape);
        Assert.Equal(0, same.MaxAbsDifference);
        Assert.Equal(logits.abs().max().item<float>(), same.MaxAbsLogit, 6);

        var shifted = logits.clone();
        shifted[0, 7] += 0.25f;
        var off = ReferenceComparison.Run(BackboneKind.ResNet50, files.Weights, Reference("shifted.safetensors", new() { ["input"] = input, ["logits"] = shifted }));
        Assert.Equal(0.25, off.MaxAbsDifference, 5);
    }

    [Fact]
    public void A_reference_without_its_tensors_or_with_other_logits_is_refused_by_name()
    {
        var input = rand(1, 3, 64, 64, generator: new Generator(4));
        var missing = Assert.Throws<WeightsLoadException>(() =>
            ReferenceComparison.Run(BackboneKind.ResNet50, files.Weights, Reference("input-only.safetensors", new() { ["input"] = input })));
        Assert.Contains("'input' and 'logits'", missing.Message);

        var wrongShape = Assert.Throws<WeightsLoadException>(() =>
            ReferenceComparison.Run(BackboneKind.ResNet50, files.Weights, Reference("ten.safetensors", new() { ["input"] = input, ["logits"] = zeros(1, 10) })));
        Assert.Contains("1x1000, the reference 1x10", wrongShape.Message);
    }
}
