using System.Text.Json;

namespace NotebookHelpers.Tests.Cli;

/// <summary>Writes small Polyglot notebooks (the metadata VS Code writes) for the runner tests.</summary>
static class TestNotebooks
{
    public static string Write(string path, params string[] codeCells)
    {
        var cells = new List<object> { new { cell_type = "markdown", metadata = new { }, source = new[] { "# " + Path.GetFileNameWithoutExtension(path) } } };
        foreach (var code in codeCells)
            cells.Add(new Dictionary<string, object?>
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new { dotnet_interactive = new { language = "csharp" }, polyglot_notebook = new { kernelName = "csharp" } },
                ["outputs"] = Array.Empty<object>(),
                ["source"] = SourceLines(code),
            });
        var notebook = new Dictionary<string, object>
        {
            ["cells"] = cells,
            ["metadata"] = new
            {
                kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" },
                language_info = new { name = "polyglot-notebook" },
                polyglot_notebook = new { kernelInfo = new { defaultKernelName = "csharp", items = new[] { new { aliases = Array.Empty<string>(), name = "csharp" } } } },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(notebook, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>Jupyter keeps a cell's source as lines, each but the last ending in a newline.</summary>
    static string[] SourceLines(string code)
    {
        var lines = code.Split('\n');
        return lines.Select((line, i) => i < lines.Length - 1 ? line + "\n" : line).ToArray();
    }

    /// <summary>The outputs of each cell of an executed notebook: (cell type, output types).</summary>
    public static List<(string CellType, List<JsonElement> Outputs)> Cells(string ipynb)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(ipynb));
        return json.RootElement.GetProperty("cells").EnumerateArray()
            .Select(c => (c.GetProperty("cell_type").GetString()!,
                c.TryGetProperty("outputs", out var o) ? o.EnumerateArray().Select(x => x.Clone()).ToList() : []))
            .ToList();
    }
}
