using NotebookHelpers.Core;

namespace NotebookHelpers.Tests.Core;

public class RepoPathsTests
{
    [Fact]
    public void The_root_is_the_folder_with_the_solution_and_artifacts_lie_under_it()
    {
        // The tests run from bin/, inside the repository: the search goes up from there.
        Assert.Equal(TestPaths.RepoRoot, RepoPaths.TryFindRoot());
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "NotebookHelpers.sln")));
        Assert.Equal(Path.Combine(RepoPaths.Root, "artifacts"), RepoPaths.Artifacts);
    }

    [Fact]
    public void A_path_inside_the_repository_displays_relative_and_one_outside_absolute()
    {
        Assert.Equal(Path.Combine("artifacts", "salgan"), RepoPaths.Display(Path.Combine(RepoPaths.Root, "artifacts", "salgan")));
        Assert.Equal("/tmp/elsewhere", RepoPaths.Display("/tmp/elsewhere"));
        // A sibling whose name starts with the root's is outside, not "../name".
        var sibling = RepoPaths.Root + "-copy";
        Assert.Equal(sibling, RepoPaths.Display(sibling));
    }
}
