using Microsoft.DotNet.Interactive.Formatting;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Visualization;

namespace NotebookHelpers.Tests.Notebooks;

public class NotebookDisplayTests
{
    [Fact]
    public void Outside_a_kernel_a_figure_shows_as_a_one_line_summary()
    {
        var console = new StringWriter();

        NotebookDisplay.Show(new Figure([1, 2, 3], 640, 400, "Loss curve"), console);

        Assert.False(NotebookDisplay.InNotebook);
        Assert.Equal("[figure: Loss curve, 640x400]" + Environment.NewLine, console.ToString());
    }

    [Fact]
    public void Outside_a_kernel_a_table_shows_as_plain_text()
    {
        var console = new StringWriter();
        var table = HtmlTable.FromStrings(["a"], [["1"]]);

        NotebookDisplay.Show(table, console);

        Assert.Equal(table + Environment.NewLine, console.ToString());
    }

    [Fact]
    public void Outside_a_kernel_each_update_writes_a_new_line()
    {
        var console = new StringWriter { NewLine = "\n" };

        var handle = NotebookDisplay.ShowUpdatable("epoch 1", console);
        handle.Update("epoch 2");

        Assert.Equal("epoch 1\nepoch 2\n", console.ToString());
    }

    [Fact]
    public void Registered_formatters_give_figures_as_base64_png_and_tables_as_html()
    {
        NotebookDisplay.RegisterFormatters();
        NotebookDisplay.RegisterFormatters();   // idempotent
        var figure = new Figure([137, 80, 78, 71], 1, 1, "f");
        var table = HtmlTable.FromStrings(["a"], [["<b>"]]);

        Assert.Equal("AQID", Formatter.ToDisplayString(new Figure([1, 2, 3], 1, 1), "image/png"));
        Assert.Equal(Convert.ToBase64String(figure.Png), Formatter.ToDisplayString(figure, "image/png"));
        Assert.Equal(["image/png"], Formatter.GetPreferredMimeTypesFor(typeof(Figure)));
        Assert.Equal(table.ToHtml(), Formatter.ToDisplayString(table, "text/html"));
        Assert.Equal(["text/html"], Formatter.GetPreferredMimeTypesFor(typeof(HtmlTable)));
    }
}
