using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Tests.Notebooks;

public class ResultsRecordTests
{
    [Fact]
    public void Recording_the_same_row_again_replaces_it_and_the_file_follows()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var record = new ResultsRecord("01-salgan", RunProfile.Smoke, folder);
        record.Add("SalGAN", "SALICON val", "NSS", 1.5, paper: 2.589, article: 3.070);
        record.Add("BCE/4", "SALICON val", "NSS", 1.2, paper: 2.580);
        record.Add("SalGAN", "SALICON val", "NSS", 1.7, paper: 2.589, article: 3.070);

        var saved = ResultsRecord.Read(Path.Combine(folder, "01-salgan.json"));
        Assert.Equal(2, saved.Count);
        var salgan = saved.Single(e => e.System == "SalGAN");
        Assert.Equal(1.7, salgan.Value);
        Assert.Equal(2.589, salgan.Paper);
        Assert.Equal(3.070, salgan.Article);
        Assert.Equal("smoke", salgan.Profile);
        Assert.Null(saved.Single(e => e.System == "BCE/4").Article);
    }

    [Fact]
    public void A_new_record_continues_the_rows_of_its_profile_only()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        new ResultsRecord("00-getting-started", RunProfile.Smoke, folder).Add("MLP", "synthetic", "loss", 0.1);
        var again = new ResultsRecord("00-getting-started", RunProfile.Smoke, folder);
        Assert.Single(again.Entries);
        var other = new ResultsRecord("00-getting-started", RunProfile.Workshop, folder);
        Assert.Empty(other.Entries);
    }

    [Fact]
    public void ReadFolder_gathers_every_notebook_in_name_order()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        new ResultsRecord("02-segnet", RunProfile.Smoke, folder).Add("SegNet", "CamVid", "mIoU", 0.4);
        new ResultsRecord("01-salgan", RunProfile.Smoke, folder).Add("SalGAN", "SALICON", "CC", 0.7);
        var all = ResultsRecord.ReadFolder(folder);
        Assert.Equal(["01-salgan", "02-segnet"], all.Select(e => e.Notebook));
        Assert.Empty(ResultsRecord.ReadFolder(Path.Combine(folder, "absent")));
    }
}
