using NotebookHelpers.Data;

namespace NotebookHelpers.Tests.Data;

/// <summary>MAT-files written by SciPy (environment/make-mat-fixtures.py), compressed and not.</summary>
public class MatFileTests
{
    static string Fixture(string name) => TestPaths.Fixture("Data", name);

    [Fact]
    public void Numbers_are_column_major_doubles_of_any_stored_type()
    {
        var variables = MatFile.Read(Fixture("numbers.mat"));
        var a = Assert.IsType<MatNumeric>(variables["a"]);
        Assert.Equal([2, 3], a.Dimensions);
        // arange(6).reshape(2,3) = [[0,1,2],[3,4,5]]: element (1,2) is 5; storage is column-major 0,3,1,4,2,5.
        Assert.Equal(5, a[1, 2]);
        Assert.Equal(new double[] { 0, 3, 1, 4, 2, 5 }, a.Values);
        Assert.Equal(-3, Assert.IsType<MatNumeric>(variables["b"]).Values.Single());
        var cells = Assert.IsType<MatCell>(variables["cells"]);
        Assert.Equal("x", Assert.IsType<MatText>(cells.Items[0]).Text);
        Assert.Equal(1.5, Assert.IsType<MatNumeric>(cells.Items[1]).Values.Single());
    }

    [Theory]
    [InlineData("salicon-like.mat")]
    [InlineData("salicon-like-uncompressed.mat")]
    public void Struct_arrays_give_each_element_its_fields(string file)
    {
        var variables = MatFile.Read(Fixture(file));
        Assert.Equal("COCO_val2014_000000000042", Assert.IsType<MatText>(variables["image"]).Text);
        var gaze = Assert.IsType<MatStruct>(variables["gaze"]);
        Assert.Equal(["location", "timestamp", "fixations"], gaze.FieldNames);
        Assert.Equal(2, gaze.Elements.Count);
        var fixations = Assert.IsType<MatNumeric>(gaze.Elements[0]["fixations"]);
        Assert.Equal([2, 2], fixations.Dimensions);
        Assert.Equal(6, fixations[1, 0]); // second fixation of observer 1: x = 6
    }

    [Fact]
    public void A_file_that_is_not_a_MAT_file_is_refused_by_name()
    {
        using var folder = new TempFolder();
        var path = folder.File("not.mat");
        File.WriteAllText(path, new string('x', 200));
        var error = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
        Assert.Contains(path, error.Message);
    }
}
