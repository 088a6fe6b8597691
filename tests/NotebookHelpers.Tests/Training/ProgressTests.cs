using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Training;

public class ProgressTests
{
    [Fact]
    public void Plain_lines_mode_writes_a_line_every_ten_percent_and_one_at_the_end()
    {
        var clock = new FakeClock();
        var log = new StringWriter { NewLine = "\n" };
        var progress = TrainingProgress.Start("SalGAN", 20, new ProgressOptions { Mode = ProgressMode.PlainLines, Writer = log, Clock = clock });

        for (int step = 1; step <= 20; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            progress.Report(step, ("g_loss", 1.0 / step), ("d_loss", 0.69));
        }
        progress.Complete();
        clock.Advance(TimeSpan.FromMinutes(5));   // the final state keeps the run's time

        Assert.Equal("SalGAN done 20/20 in 1:00 | g_loss 0.050 d_loss 0.690", progress.ToString());
        var lines = log.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(11, lines.Length);   // 10 %, 20 %, ..., 100 %, done
        Assert.Equal("SalGAN  10% 2/20 elapsed 0:06 eta 0:54 | g_loss 0.500 d_loss 0.690", lines[0]);
        Assert.Equal("SalGAN  50% 10/20 elapsed 0:30 eta 0:30 | g_loss 0.100 d_loss 0.690", lines[4]);
        Assert.Equal("SalGAN 100% 20/20 elapsed 1:00 eta 0:00 | g_loss 0.050 d_loss 0.690", lines[9]);
        Assert.Equal("SalGAN done 20/20 in 1:00 | g_loss 0.050 d_loss 0.690", lines[10]);
    }

    [Fact]
    public void Plain_lines_mode_skips_no_threshold_when_steps_jump()
    {
        var log = new StringWriter { NewLine = "\n" };
        var progress = TrainingProgress.Start("run", 1000, new ProgressOptions { Mode = ProgressMode.PlainLines, Writer = log, Clock = new FakeClock() });

        progress.Report(250);   // crosses 10 % and 20 %: one line, next one at 30 %
        progress.Report(290);
        progress.Report(300);

        Assert.Equal(["run  25% 250/1000", "run  30% 300/1000"], log.ToString().TrimEnd('\n').Split('\n').Select(l => l[..l.IndexOf(" elapsed")]));
    }

    [Fact]
    public void Terminal_mode_redraws_one_line_at_most_every_interval()
    {
        var clock = new FakeClock();
        var log = new StringWriter();
        var progress = TrainingProgress.Start("run", 100, new ProgressOptions { Mode = ProgressMode.TerminalLine, Writer = log, Clock = clock });

        for (int step = 1; step <= 100; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));   // 100 reports over one second, one redraw per 0.1 s
            progress.Report(step);
        }
        var redraws = log.ToString().Count(c => c == '\r');
        progress.Complete();

        Assert.Equal(10, redraws);
        var text = log.ToString();
        Assert.EndsWith(Environment.NewLine, text);   // the final state stays on screen
        Assert.Equal("run done 100/100 in 0:01", text[(text.LastIndexOf('\r') + 1)..].TrimEnd());
        Assert.DoesNotContain('\n', text.TrimEnd());
    }

    [Fact]
    public void Eta_uses_only_the_steps_done_since_a_resume()
    {
        var clock = new FakeClock();
        var progress = TrainingProgress.Start("run", 1000, new ProgressOptions { Mode = ProgressMode.Silent, Clock = clock, StartStep = 600 });

        clock.Advance(TimeSpan.FromSeconds(10));
        progress.Report(700);   // 100 steps in 10 s, 300 to go

        Assert.Equal(TimeSpan.FromSeconds(30), progress.Eta);
    }

    [Fact]
    public void Html_shows_a_progress_bar_step_eta_and_escaped_metrics()
    {
        var clock = new FakeClock();
        var progress = TrainingProgress.Start("<GAN>", 200, new ProgressOptions { Mode = ProgressMode.Silent, Clock = clock });
        clock.Advance(TimeSpan.FromSeconds(65));
        progress.Report(50, ("a<b", 0.25));

        var html = progress.ToHtml();

        Assert.Contains("<b>&lt;GAN&gt;</b>", html);
        Assert.Contains("<progress value=\"50\" max=\"200\"", html);
        Assert.Contains("50/200 (25%) · elapsed 1:05 · ETA 3:15", html);
        Assert.Contains("a&lt;b 0.250", html);
    }

    [Fact]
    public void Auto_mode_outside_a_notebook_with_a_custom_writer_writes_plain_lines()
    {
        var progress = TrainingProgress.Start("run", 10, new ProgressOptions { Writer = new StringWriter() });

        Assert.Equal(ProgressMode.PlainLines, progress.Mode);
    }

    [Fact]
    public void Notebook_mode_outside_a_notebook_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => TrainingProgress.Start("run", 10, new ProgressOptions { Mode = ProgressMode.Notebook }));
    }

    [Theory]
    [InlineData(59, "0:59")]
    [InlineData(61, "1:01")]
    [InlineData(3600 + 62, "1:01:02")]
    public void FormatTime_is_minutes_and_seconds_then_hours(int seconds, string expected)
    {
        Assert.Equal(expected, TrainingProgress.FormatTime(TimeSpan.FromSeconds(seconds)));
    }
}
