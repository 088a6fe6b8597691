using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Training;

public class MetricsLogTests
{
    [Fact]
    public void Series_Last_and_Mean_read_the_history_of_one_metric()
    {
        var log = new MetricsLog();
        log.Log(1, ("loss", 4.0), ("acc", 0.1));
        log.Log(2, ("loss", 2.0));
        log.Log(3, ("loss", 1.0), ("acc", 0.5));

        var (steps, values) = log.Series("loss");

        Assert.Equal([1L, 2, 3], steps);
        Assert.Equal([4.0, 2.0, 1.0], values);
        Assert.Equal(0.5, log.Last("acc"));
        Assert.Equal(1.5, log.Mean("loss", lastN: 2));   // (2 + 1) / 2
        Assert.Equal(7.0 / 3, log.Mean("loss", lastN: 10), 12);
        Assert.Equal(["loss", "acc"], log.Names);
    }

    [Fact]
    public void Unknown_metric_names_the_logged_ones()
    {
        var log = new MetricsLog();
        log.Log(1, ("g_loss", 1.0));

        var error = Assert.Throws<ArgumentException>(() => log.Last("d_loss"));

        Assert.Contains("d_loss", error.Message);
        Assert.Contains("g_loss", error.Message);
    }

    [Fact]
    public void Csv_written_as_it_goes_reloads_to_the_same_history()
    {
        using var temp = new TempFolder();
        var path = temp.File("metrics.csv");
        var rows = new List<MetricsRow>();
        using (var log = MetricsLog.CreateCsv(path))
        {
            log.Log(0, epoch: 0, ("g_loss", 0.7310000000000001), ("d_loss", 1.0 / 3));
            log.Log(1, epoch: 0, ("g_loss", double.NaN));
            log.Log(2, ("val, \"AUC\"", 0.9));   // a name that needs CSV quoting; no epoch
            rows.AddRange(log.Rows);
        }

        var reloaded = MetricsLog.LoadCsv(path);

        Assert.Equal(rows, reloaded.Rows);
        Assert.Equal(["g_loss", "d_loss", "val, \"AUC\""], reloaded.Names);
        Assert.StartsWith("step,epoch,metric,value\n0,0,g_loss,0.7310000000000001\n", File.ReadAllText(path));
    }

    [Fact]
    public void File_is_readable_after_each_write_while_the_log_is_open()
    {
        using var temp = new TempFolder();
        var path = temp.File("metrics.csv");
        using var log = MetricsLog.CreateCsv(path);

        for (int step = 1; step <= 3; step++)
        {
            log.Log(step, ("loss", 1.0 / step));

            var onDisk = MetricsLog.LoadCsv(path);
            Assert.Equal(log.Rows, onDisk.Rows);
        }
    }

    [Fact]
    public void A_last_line_cut_short_by_a_crash_is_ignored()
    {
        using var temp = new TempFolder();
        var path = temp.File("metrics.csv");
        File.WriteAllText(path, "step,epoch,metric,value\n1,,loss,0.5\n2,,loss,0.2");   // no final newline: interrupted

        var log = MetricsLog.LoadCsv(path);

        Assert.Equal([new MetricsRow(1, null, "loss", 0.5)], log.Rows);
    }

    [Fact]
    public void ResumeCsv_drops_rows_logged_after_the_checkpoint_and_appends()
    {
        using var temp = new TempFolder();
        var path = temp.File("metrics.csv");
        using (var first = MetricsLog.CreateCsv(path))
            for (int step = 0; step < 5; step++) first.Log(step, ("loss", step));

        using (var resumed = MetricsLog.ResumeCsv(path, fromStep: 3))   // checkpoint after 3 steps: steps 0, 1, 2 done
        {
            Assert.Equal([0L, 1, 2], resumed.Series("loss").Steps);
            resumed.Log(3, ("loss", 30.0));
        }

        var (steps, values) = MetricsLog.LoadCsv(path).Series("loss");
        Assert.Equal([0L, 1, 2, 3], steps);
        Assert.Equal([0.0, 1, 2, 30], values);
    }

    [Fact]
    public void LoadCsv_rejects_a_file_that_is_not_a_metrics_log()
    {
        using var temp = new TempFolder();
        var path = temp.File("other.csv");
        File.WriteAllText(path, "a,b\n1,2\n");

        Assert.Throws<FormatException>(() => MetricsLog.LoadCsv(path));
    }
}
