using System.Text.Json;
using NotebookHelpers.Cli.Runner;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Tests.Cli.Runner;

public class RunReportTests
{
    // A 1x1 PNG, base64; the report must carry it through unchanged.
    const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    static string ExecutedNotebook(string folder)
    {
        var notebook = new
        {
            cells = new object[]
            {
                new { cell_type = "markdown", metadata = new { }, source = new[] { "# Training\n", "text" } },
                new { cell_type = "code", metadata = new { }, source = new[] { "x" }, outputs = new object[]
                {
                    new { output_type = "stream", name = "stdout", text = new[] { "hello" } },
                    new { output_type = "display_data", metadata = new { }, data = new Dictionary<string, object> { ["image/png"] = new[] { Png[..20], Png[20..] } } },
                } },
                new { cell_type = "code", metadata = new { }, source = new[] { "y" }, outputs = new object[]
                {
                    new { output_type = "display_data", metadata = new { }, data = new Dictionary<string, object> { ["image/png"] = Png } },
                } },
            },
            metadata = new { },
            nbformat = 4,
            nbformat_minor = 5,
        };
        var path = Path.Combine(folder, "00-test.ipynb");
        File.WriteAllText(path, JsonSerializer.Serialize(notebook));
        return path;
    }

    [Fact]
    public void Figures_are_every_png_output_with_cell_and_section()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var figures = RunReport.Figures(ExecutedNotebook(folder));
        Assert.Equal(2, figures.Count);
        Assert.All(figures, f => Assert.Equal(Png, f.Base64Png));
        Assert.Equal([2, 3], figures.Select(f => f.Cell));
        Assert.Equal("Training (cell 2)", figures[0].Caption);
    }

    [Fact]
    public void The_report_holds_statuses_results_beside_the_paper_and_inline_figures()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var executed = ExecutedNotebook(folder);
        var statuses = new[]
        {
            new NotebookRunStatus("00-test", "notebooks/00-test.ipynb", executed, true, 3.2, 2, 2),
            new NotebookRunStatus("01-bad", "notebooks/01-bad.ipynb", Path.Combine(folder, "missing.ipynb"), false, 1, 1, 4, 3, 2, "System.Exception: <boom>"),
        };
        var results = new[]
        {
            new ResultEntry("01-bad", "SalGAN", "SALICON val", "NSS", 2.1234, Paper: 2.589, Article: 3.07),
            new ResultEntry("01-bad", "SalGAN", "SALICON val", "KLD", 0.9, Paper: 1.2),
            new ResultEntry("01-bad", "centre bias", "SALICON val", "NSS", 0.2),
        };
        _ = NotebookHelpers.Papers.SalGan.SaliencyMetricSpecs.All; // registers NSS and KLD
        var html = new RunReport("smoke", "cpu", statuses, results).ToHtml();

        Assert.Contains("1 passed, 1 failed", html);
        Assert.Contains("notebooks/01-bad.ipynb: cell 3, line 2: System.Exception: &lt;boom&gt;", html);
        Assert.DoesNotContain("<boom>", html);
        // One table, systems as rows and metrics as columns with their direction; the better of each pair is marked.
        Assert.Contains("<tr><th>System</th><th>NSS ↑</th><th>KLD ↓</th><th>Note</th></tr>", html);
        Assert.Contains("<td class=\"num\">2.123<br><span class=\"ref better\">paper 2.589</span><br><span class=\"ref better\">article 3.070</span></td>", html);
        Assert.Contains("<td class=\"num\"><span class=\"better\">0.900</span><br><span class=\"ref\">paper 1.200</span></td>", html);
        Assert.Contains("<tr><td>centre bias</td><td class=\"num\">0.200</td><td></td>", html);
        Assert.Equal(2, html.Split("data:image/png;base64," + Png).Length - 1);
        Assert.DoesNotContain("http", html); // self-contained: nothing to fetch
    }
}
