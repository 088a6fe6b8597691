using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using NotebookHelpers.Papers.ScoreCam;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cli.Commands;

/// <summary>
/// <c>nbh bench cam</c>: the seed article's timing table on this machine (environment/check-cam-speed.sh runs it
/// beside the same computations in PyTorch). Speed is measured here, printed as numbers, never asserted by a test.
/// </summary>
public static class BenchCommand
{
    const int InputSize = 224;

    /// <summary>The <c>--methods</c> names, as a user types them, to the table's names.</summary>
    static readonly Dictionary<string, string> Methods = new(StringComparer.Ordinal)
    {
        ["grad-cam"] = ScoreCamReference.GradCam,
        ["grad-cam++"] = ScoreCamReference.GradCamPlusPlus,
        ["score-cam"] = ScoreCamReference.ScoreCam,
        ["faster-score-cam-10"] = ScoreCamReference.FasterScoreCam10,
        ["faster-score-cam-3"] = ScoreCamReference.FasterScoreCam3,
        ["guided-bp"] = ScoreCamReference.GuidedBackprop,
    };

    public static Command Create()
    {
        var bench = new Command("bench", "Time the library's computations on this machine.");
        bench.Add(Cam());
        return bench;
    }

    static Command Cam()
    {
        var model = new Option<string>("--model") { Description = "vgg16 (the article's), vgg19 or resnet50.", DefaultValueFactory = _ => "vgg16" };
        var weights = new Option<string?>("--weights") { Description = "A torchvision checkpoint; random weights (seed 0) without it (the time does not depend on them)." };
        var image = new Option<string?>("--image") { Description = "A PNG or JPEG, resized to 224×224 and ImageNet-normalised (default: a smooth synthetic picture)." };
        var input = new Option<string?>("--input") { Description = "A torch.save({\"input\": x}) file with the normalised (1,3,H,W) input instead of --image." };
        var layer = new Option<string?>("--layer") { Description = "The CAM layer (default features.29 for vgg16, features.35 for vgg19, layer4 for resnet50)." };
        var methods = new Option<string>("--methods") { Description = $"Comma-separated, from {string.Join(", ", Methods.Keys)}.", DefaultValueFactory = _ => string.Join(",", Methods.Keys) };
        var batch = new Option<int?>("--batch") { Description = "Score-CAM's masked inputs per pass (default: as many as 1 GiB of activations holds)." };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs after one warm-up; the median is reported.", DefaultValueFactory = _ => 3 };
        var mapsOut = new Option<string?>("--maps-out") { Description = "Write each method's map (of its last timed run) as raw little-endian float32 (torchsharp-<method>.f32) into this folder." };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object and nothing else." };
        var command = new Command("cam", "The seed article's timing table: Grad-CAM, Grad-CAM++, Score-CAM, Faster Score-CAM (N=10, N=3) and Guided BP on one image.")
        {
            model, weights, image, input, layer, methods, batch, repeats, mapsOut, json,
        };
        command.SetAction(parse =>
        {
            var kind = ExplainCommand.Architecture(parse.GetValue(model)!);
            var chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(m => Methods.TryGetValue(m, out var name) ? name : throw new UsageException($"--methods {m}: give some of {string.Join(", ", Methods.Keys)}."))
                .ToList();
            if (chosen.Count == 0) throw new UsageException("--methods: name at least one method.");
            if (parse.GetValue(repeats) is < 1 or > 100) throw new UsageException($"--repeats {parse.GetValue(repeats)}: give 1 to 100.");
            if (parse.GetValue(batch) is < 1) throw new UsageException($"--batch {parse.GetValue(batch)}: give at least 1, or leave it out.");
            if (parse.GetValue(image) is not null && parse.GetValue(input) is not null) throw new UsageException("--image and --input: give one of them.");
            var folder = parse.GetValue(mapsOut) is { } m ? CliInput.OutFolder(m, "bench cam") : null;
            using var scope = NewDisposeScope();
            var x = Input(parse.GetValue(image), parse.GetValue(input)).to(TorchRuntime.Device);
            if (parse.GetValue(weights) is null) TorchRuntime.Seed(0);
            using var network = Backbones.Create(kind);
            if (parse.GetValue(weights) is { } w) PretrainedWeights.Load(network, CliInput.ExistingFile(w, "--weights"), kind);
            network.to(TorchRuntime.Device);
            var layerPath = parse.GetValue(layer) ?? ExplainCommand.DefaultLayers[kind];
            var quiet = parse.GetValue(json);
            IReadOnlyList<NotebookHelpers.Cam.CamTime> times;
            try
            {
                times = ScoreCamTimings.Measure(network, layerPath, x, parse.GetValue(repeats), parse.GetValue(batch), chosen,
                    method => { if (!quiet) Console.Error.WriteLine($"timing {method} ..."); },
                    lastMaps: folder is null ? null : (method, map) => WriteMap(map, Path.Combine(folder, $"torchsharp-{Methods.First(p => p.Value == method).Key}.f32")));
            }
            catch (ArgumentException e) when (e.ParamName == "targetLayer")
            {
                throw new UsageException($"--layer {layerPath}: {ErrorBoundary.OneLine(e)}");
            }
            if (quiet)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    device = TorchRuntime.Device.ToString(),
                    threads = get_num_threads(),
                    model = kind.Name(),
                    layer = layerPath,
                    input = x.shape,
                    repeats = parse.GetValue(repeats),
                    ms = times.ToDictionary(t => Methods.First(p => p.Value == t.Method).Key, t => t.MedianMs),
                }));
                return 0;
            }
            var table = new Table().AddColumns("Method", "This machine (median)", "Article (Colab)");
            foreach (var t in times)
                table.AddRow(Markup.Escape(t.Method), Milliseconds(t.MedianMs), ScoreCamReference.ArticleTime(t.Method) is { } a ? Milliseconds(a) : "–");
            AnsiConsole.Write(table);
            Console.WriteLine($"{kind.Name()} at {layerPath}, input {string.Join("×", x.shape)}, {TorchRuntime.Describe()}; median of {parse.GetValue(repeats)} after a warm-up.");
            return 0;
        });
        return command;
    }

    static Tensor Input(string? image, string? inputFile)
    {
        if (inputFile is not null)
        {
            var stored = PretrainedWeights.ReadStateDict(CliInput.ExistingFile(inputFile, "--input"));
            if (!stored.TryGetValue("input", out var x) || x.dim() != 4 || x.shape[0] != 1)
                throw new UsageException($"--input {inputFile}: expected torch.save({{\"input\": x}}) with x of shape (1, C, H, W).");
            return x.to(float32);
        }
        var picture = image is not null
            ? ImageTransforms.Resize(ImageIO.LoadRgb(CliInput.ExistingFile(image, "--image")), InputSize, InputSize)
            : SmoothPicture(InputSize);
        return ImageTransforms.NormalizeImageNet(picture).unsqueeze(0);
    }

    /// <summary>The picture check-cam-speed.py builds: smooth stripes and a ramp, so no file is needed.</summary>
    static Tensor SmoothPicture(int size)
    {
        var line = linspace(0, 1, size);
        var ys = line.view(-1, 1).expand(size, size);
        var xs = line.view(1, -1).expand(size, size);
        return stack([0.5 + 0.5 * sin(7 * xs + 3 * ys), 0.5 + 0.5 * cos(5 * ys), xs * ys]);
    }

    static void WriteMap(Tensor map, string file)
    {
        var values = map.cpu().contiguous().to(float32).data<float>().ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Maps are written little-endian.");
        File.WriteAllBytes(file, bytes);
    }

    static string Milliseconds(double ms) => ms >= 1000
        ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : ms.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
