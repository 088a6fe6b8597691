using NotebookHelpers.Cli;
using NotebookHelpers.Cli.Papers;

namespace NotebookHelpers.Tests.Cli;

public class VerbsTests
{
    [Fact]
    public void The_shared_verbs_hold_each_papers_subcommands_side_by_side()
    {
        var verbs = Verbs.Create();
        Assert.Equal(["train", "predict", "eval", "data"], verbs.All.Select(c => c.Name));
        Assert.All(verbs.All, verb => Assert.Empty(verb.Subcommands));

        SalGanCommands.AddTo(verbs);
        Assert.Equal(["salgan"], verbs.Train.Subcommands.Select(c => c.Name));
        Assert.Equal(["salgan"], verbs.Predict.Subcommands.Select(c => c.Name));
        Assert.Equal(["saliency"], verbs.Eval.Subcommands.Select(c => c.Name));
        Assert.Equal(["salicon-fixations"], verbs.Data.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public void Every_verb_explains_itself_in_help()
    {
        Assert.All(Verbs.Create().All, verb => Assert.False(string.IsNullOrWhiteSpace(verb.Description), $"{verb.Name} has no description"));
    }
}
