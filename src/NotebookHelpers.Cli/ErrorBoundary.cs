using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json;
using System.Text.RegularExpressions;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Models;
using NotebookHelpers.Training;

namespace NotebookHelpers.Cli;

/// <summary>A bad option, argument or environment variable: the user can fix it by calling the command differently.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The one place where the CLI meets failure. Every expected failure ends as one line on standard error that names
/// the file or option, says what is wrong and what to do, and exits with <see cref="UsageError"/> for usage
/// (a bad option, a refused <c>--out</c>) or <see cref="Failed"/> for failed work (a bad file, a refused checkpoint).
/// A stack trace is printed only with <c>--verbose</c>, or for an exception no library code throws on purpose, which
/// is a bug.
/// </summary>
public static partial class ErrorBoundary
{
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int Bug = 70; // EX_SOFTWARE of sysexits.h

    /// <summary><c>--verbose</c>, on every command: show the stack trace of a failure.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "Show the full stack trace of a failure.", Recursive = true };

    /// <summary>Parses <paramref name="args"/>, runs the command, and turns failures into one line on <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter error)
    {
        root.Add(Verbose);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors) error.WriteLine(problem.Message);
            error.WriteLine($"See '{string.Join(' ', ["nbh", .. CommandPath(parse.CommandResult)])} --help'.");
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var failure = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
            var code = ExitCode(failure);
            error.WriteLine(code == Bug ? $"nbh failed unexpectedly (a bug; please report it with this trace): {failure}" : OneLine(failure));
            if (code != Bug && parse.GetValue(Verbose)) error.WriteLine(failure);
            return code;
        }
    }

    /// <summary>The exit code for a failure: usage, failed work, or a bug.</summary>
    public static int ExitCode(Exception e) => e switch
    {
        UsageException or OutputFolderException or RunFolderRefusedException or FormatException or ArgumentException => UsageError,
        DatasetNotFoundException => Failed,
        FileNotFoundException or DirectoryNotFoundException => UsageError, // a path the user named is not there
        IOException or UnauthorizedAccessException or InvalidDataException or JsonException or WeightsLoadException
            or CheckpointMismatchException or NonFiniteLossException or InvalidOperationException or OutOfMemoryException => Failed,
        _ => Bug,
    };

    /// <summary>The message as one line, without .NET's <c>(Parameter 'name')</c> suffix.</summary>
    public static string OneLine(Exception e)
    {
        var message = ParameterSuffix().Replace(e.Message, "");
        return string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    static List<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r?.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();
}
