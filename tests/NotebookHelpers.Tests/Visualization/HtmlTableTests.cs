using NotebookHelpers.Visualization;

namespace NotebookHelpers.Tests.Visualization;

public class HtmlTableTests
{
    sealed record Result(string Metric, double Ours, double Paper, int Images);

    static readonly Result[] Results = [new("AUC-J", 0.85012, 0.88, 500), new("NSS", 2.1, 2.589, 500)];

    [Fact]
    public void From_takes_the_columns_from_the_record_members_in_order()
    {
        var table = HtmlTable.From(Results, "SalGAN on SALICON val");

        Assert.Equal(["Metric", "Ours", "Paper", "Images"], table.Headers);
        Assert.Equal(["AUC-J", "0.850", "0.880", "500"], table.CellTexts()[0]);
    }

    [Fact]
    public void Everything_is_html_escaped()
    {
        var table = HtmlTable.FromStrings(["<th>"], [["<script>alert('x')</script>"]], title: "a & b");

        var html = table.ToHtml();

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html);
        Assert.Contains("&lt;th&gt;</th>", html);
        Assert.Contains("a &amp; b</caption>", html);
    }

    [Fact]
    public void Numbers_use_three_decimals_unless_a_column_says_otherwise()
    {
        var table = HtmlTable.From(Results).WithFormat("Paper", "F1").WithFormat("Metric", v => $"[{v}]");

        Assert.Equal(["[NSS]", "2.100", "2.6", "500"], table.CellTexts()[1]);
    }

    [Fact]
    public void Unknown_format_column_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => HtmlTable.From(Results).WithFormat("ours", "F1"));
    }

    [Fact]
    public void ToString_aligns_text_left_and_numbers_right()
    {
        var table = new HtmlTable(["name", "ms"], [["cpu", 120.5], ["gpu (H100)", 8.25]], "Time per step");

        Assert.Equal(
            """
            Time per step
            name             ms
            ----------  -------
            cpu         120.500
            gpu (H100)    8.250
            """.ReplaceLineEndings(Environment.NewLine),
            table.ToString());
    }

    [Fact]
    public void Html_right_aligns_numeric_columns()
    {
        var html = new HtmlTable(["name", "ms"], [["cpu", 120.5]]).ToHtml();

        Assert.Contains("text-align:left\">cpu</td>", html);
        Assert.Contains("text-align:right\">120.500</td>", html);
        Assert.DoesNotContain("http", html);   // no external resources
    }

    [Fact]
    public void Rows_must_have_one_cell_per_header()
    {
        Assert.Throws<ArgumentException>(() => new HtmlTable(["a", "b"], [["only one"]]));
    }
}
