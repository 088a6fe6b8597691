using NotebookHelpers.Models;
using NotebookHelpers.Tests.Data;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

/// <summary>
/// Checkpoints in PyTorch's format, written here with TorchSharp.PyBridge (<c>save_py</c>, which writes what
/// <c>torch.save(model.state_dict())</c> writes), load into every backbone; bad files give errors that name the key,
/// the shapes, the file and the script.
/// </summary>
public sealed class PretrainedWeightsTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(BackboneKind.Vgg16)]
    [InlineData(BackboneKind.Vgg16Bn)]
    [InlineData(BackboneKind.Vgg19)]
    [InlineData(BackboneKind.ResNet50)]
    public void A_checkpoint_in_PyTorch_format_loads_into_every_backbone(BackboneKind kind)
    {
        manual_seed(11);
        using var source = Backbones.Create(kind);
        var path = folder.File($"{kind.Name()}.pth");
        source.save_py(path);
        manual_seed(12);
        using var target = Backbones.Create(kind);
        using var input = rand(1, 3, 64, 64);
        using (no_grad())
            Assert.False(source.call(input).allclose(target.call(input)));

        var report = PretrainedWeights.Load(target, path, kind);

        Assert.True(report.Fits);
        Assert.Equal(source.state_dict().Count, report.Tensors);
        using (no_grad())
            Assert.True(source.call(input).allclose(target.call(input), rtol: 0, atol: 0));
    }

    [Fact]
    public void A_wrong_shape_names_the_key_and_both_shapes_and_changes_nothing()
    {
        using var tenClasses = Backbones.Create(BackboneKind.ResNet50, numClasses: 10);
        var path = folder.File("resnet50-ten-classes.pth");
        tenClasses.save_py(path);
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var before = model.state_dict()["conv1.weight"].clone();

        var error = Assert.Throws<WeightsLoadException>(() => PretrainedWeights.Load(model, path, BackboneKind.ResNet50));

        Assert.Contains(path, error.Message);
        Assert.Contains("key 'fc.weight': the model expects [1000, 2048], the file has [10, 2048]", error.Message);
        Assert.Contains("key 'fc.bias': the model expects [1000], the file has [10]", error.Message);
        Assert.True(model.state_dict()["conv1.weight"].equal(before).all().item<bool>()); // nothing copied
    }

    [Fact]
    public void A_missing_key_and_an_unexpected_key_are_both_named()
    {
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Remove("layer2.0.conv1.weight");
        state["head.extra"] = zeros(3);
        var path = folder.File("edited.safetensors");
        Safetensors.SaveStateDict(path, state);

        var report = PretrainedWeights.Check(model, path, BackboneKind.ResNet50);

        Assert.Equal(
            ["key 'layer2.0.conv1.weight' is in the model but not in the file", "key 'head.extra' is in the file but not in the model"],
            report.Problems);
        Assert.True(PretrainedWeights.Check(model, path, BackboneKind.ResNet50, allowUnused: true).Problems.Count == 1);
    }

    [Fact]
    public void Checkpoints_from_before_num_batches_tracked_load_into_batch_norm_models()
    {
        using var model = Backbones.Create(BackboneKind.Vgg16Bn);
        var state = model.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked")).ToDictionary(kv => kv.Key, kv => kv.Value);
        var path = folder.File("vgg16_bn-old.safetensors");
        Safetensors.SaveStateDict(path, state);

        Assert.True(PretrainedWeights.Check(model, path, BackboneKind.Vgg16Bn).Fits);
    }

    [Fact]
    public void A_corrupt_file_is_reported_by_name_with_the_script_to_run()
    {
        var path = folder.File("vgg16-397923af.pth");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251)).ToArray());
        using var model = Backbones.Create(BackboneKind.ResNet50);

        var error = Assert.Throws<WeightsLoadException>(() => PretrainedWeights.ReadStateDict(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("data-scripts/weights.sh", error.Message);
    }

    [Fact]
    public void The_hash_prefix_in_the_file_name_is_checked_against_the_contents()
    {
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var plain = folder.File("resnet50.pth");
        model.save_py(plain);
        var sha = PretrainedWeights.Sha256(plain);

        var good = folder.File($"resnet50-{sha[..8]}.pth");
        File.Copy(plain, good);
        var goodReport = PretrainedWeights.Check(model, good, BackboneKind.ResNet50);
        Assert.True(goodReport.Fits);
        Assert.Equal(sha[..8], goodReport.NamedHash);

        var wrongPrefix = sha[0] == '0' ? "1" + sha[1..8] : "0" + sha[1..8];
        var bad = folder.File($"resnet50-{wrongPrefix}.pth");
        File.Copy(plain, bad);
        var problem = Assert.Single(PretrainedWeights.Check(model, bad, BackboneKind.ResNet50).Problems);
        Assert.Contains($"starts with {sha[..8]}, but its name says {wrongPrefix}", problem);
        Assert.Contains("data-scripts/weights.sh", problem);
        Assert.Null(PretrainedWeights.NamedHash(plain));
    }

    [Fact]
    public void A_missing_file_names_the_script()
    {
        var error = Assert.Throws<WeightsLoadException>(() => PretrainedWeights.ReadStateDict(folder.File("absent.pth")));
        Assert.Contains("data-scripts/weights.sh", error.Message);
    }
}

/// <summary>The fallback when no weights are present: said once, in plain words, with the command to get them.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class PretrainedWeightsFallbackTests : IDisposable
{
    readonly TempFolder folder = new();
    readonly string? saved = Environment.GetEnvironmentVariable(PretrainedWeights.FolderVariable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(PretrainedWeights.FolderVariable, saved);
        folder.Dispose();
    }

    [Fact]
    public void Without_the_file_the_model_keeps_random_weights_and_the_message_appears_once()
    {
        Environment.SetEnvironmentVariable(PretrainedWeights.FolderVariable, folder.Path);
        using var model = Backbones.Create(BackboneKind.Vgg19);
        var before = model.state_dict()["features.0.weight"].clone();
        var log = new StringWriter();

        Assert.False(PretrainedWeights.TryLoadImageNet(model, BackboneKind.Vgg19, log: log));
        Assert.False(PretrainedWeights.TryLoadImageNet(model, BackboneKind.Vgg19, log: log));

        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains("No ImageNet weights for vgg19", line);
        Assert.Contains("random initialisation", line);
        Assert.Contains("data-scripts/weights.sh vgg19", line);
        Assert.True(model.state_dict()["features.0.weight"].equal(before).all().item<bool>());
    }

    [Fact]
    public void With_the_file_in_the_weights_folder_it_loads()
    {
        Environment.SetEnvironmentVariable(PretrainedWeights.FolderVariable, folder.Path);
        manual_seed(3);
        using var source = Backbones.Create(BackboneKind.ResNet50);
        // A name without torchvision's hash would not be looked for; here the file carries its own hash prefix.
        var plain = folder.File("plain.pth");
        source.save_py(plain);
        File.Move(plain, PretrainedWeights.DefaultPath(BackboneKind.ResNet50));
        manual_seed(4);
        using var target = Backbones.Create(BackboneKind.ResNet50);

        var error = Assert.Throws<WeightsLoadException>(() => PretrainedWeights.TryLoadImageNet(target, BackboneKind.ResNet50));
        Assert.Contains("but its name says 0676ba61", error.Message); // a file under torchvision's name must be torchvision's
    }
}
