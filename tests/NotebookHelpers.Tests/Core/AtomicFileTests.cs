using NotebookHelpers.Core;

namespace NotebookHelpers.Tests.Core;

public class AtomicFileTests
{
    [Fact]
    public void WriteAllBytes_creates_the_folder_and_leaves_no_temporary_file()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "sub", "a.bin");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Failed_write_keeps_the_previous_file_and_removes_the_temporary_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("state.bin");
        AtomicFile.WriteAllBytes(path, [7, 7, 7]);

        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, tempPath =>
        {
            File.WriteAllBytes(tempPath, [1]);   // half written ...
            throw new IOException("disk full"); // ... then interrupted
        }));

        Assert.Equal("disk full", failure.Message);
        Assert.Equal([7, 7, 7], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WriteAllText_replaces_an_existing_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("note.txt");
        AtomicFile.WriteAllText(path, "old");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
    }
}
