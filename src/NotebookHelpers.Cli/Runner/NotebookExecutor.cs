using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;
using DocumentKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace NotebookHelpers.Cli.Runner;

/// <summary>
/// Executes one notebook, cell by cell, in the real .NET Interactive C# kernel hosted in this process, and writes the
/// executed copy with every cell's outputs. It stops at the first failing cell. The runner starts one process per
/// notebook because libtorch, formatters and loaded assemblies are process-wide and a running cell cannot be
/// interrupted: a cell past its time limit ends this process.
/// </summary>
public sealed class NotebookExecutor(string notebookPath, string outFolder, TimeSpan cellTimeout, TextWriter log)
{
    static readonly KernelInfoCollection KernelInfos = [new DocumentKernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#", "cs"])];

    public const int TimedOutExitCode = 124;

    public async Task<NotebookRunStatus> RunAsync()
    {
        var source = Path.GetFullPath(notebookPath);
        var name = Path.GetFileNameWithoutExtension(source);
        var executedPath = Path.Combine(Path.GetFullPath(outFolder), Path.GetFileName(source));
        var total = Stopwatch.StartNew();

        InteractiveDocument document;
        await using (var stream = File.OpenRead(source)) document = Notebook.Read(stream, KernelInfos);

        using var kernel = CreateKernel();
        // Relative #r paths resolve against the working directory, as they do in VS Code, which starts the kernel in
        // the notebook's folder.
        Directory.SetCurrentDirectory(Path.GetDirectoryName(source)!);

        var codeCells = document.Elements.Where(IsCode).ToList();
        int cellNumber = 0, codeCellsRun = 0;
        NotebookRunStatus Status(bool ok, int? cell = null, int? line = null, string? error = null) =>
            new(name, Relative(source), executedPath, ok, total.Elapsed.TotalSeconds, codeCellsRun, codeCells.Count, cell, line, error);

        foreach (var cell in document.Elements)
        {
            cellNumber++;
            cell.Outputs.Clear();
            if (!IsCode(cell)) continue;
            codeCellsRun++;
            log.WriteLine($"[{name}] cell {cellNumber}/{document.Elements.Count} ({codeCellsRun}/{codeCells.Count} code) ...");
            var watch = Stopwatch.StartNew();
            var outcome = await ExecuteCellAsync(kernel, cell);
            cell.ExecutionOrder = codeCellsRun;
            cell.Outputs.AddRange(outcome.Outputs);

            if (outcome.TimedOut)
            {
                var timedOut = Status(false, cellNumber, null, $"the cell ran past its time limit of {Format(cellTimeout)} and was stopped (raise it with --cell-timeout)");
                Finish(document, executedPath, timedOut);
                // The cell's code is still running and cannot be cancelled: this process ends, and takes down what
                // the cell started, which would otherwise outlive it.
                ProcessTree.KillDescendants();
                Environment.Exit(TimedOutExitCode);
            }
            log.WriteLine($"[{name}] cell {cellNumber} {(outcome.Error is null ? "ok" : "FAILED")} in {watch.Elapsed.TotalSeconds:F1} s");
            if (outcome.Error is not null)
            {
                var failed = Status(false, cellNumber, outcome.Line, outcome.Error);
                Finish(document, executedPath, failed);
                return failed;
            }
        }

        var succeeded = Status(true);
        Finish(document, executedPath, succeeded);
        return succeeded;
    }

    static bool IsCode(InteractiveDocumentElement cell) => cell.KernelName is not ("markdown" or "md");

    void Finish(InteractiveDocument document, string executedPath, NotebookRunStatus status)
    {
        AtomicFile.Write(executedPath, temp =>
        {
            using var stream = File.Create(temp);
            Notebook.Write(document, stream, KernelInfos);
        });
        AtomicFile.WriteAllText(NotebookRunStatus.PathFor(Path.GetDirectoryName(executedPath)!, status.Notebook), status.ToJson());
        log.WriteLine(status.Succeeded
            ? $"[{status.Notebook}] done in {status.Seconds:F1} s -> {executedPath}"
            : status.FailureMessage);
    }

    sealed record CellOutcome(List<InteractiveDocumentOutputElement> Outputs, string? Error, int? Line, bool TimedOut);

    async Task<CellOutcome> ExecuteCellAsync(CompositeKernel kernel, InteractiveDocumentElement cell)
    {
        if (cell.KernelName is not ("csharp" or "c#" or "C#"))
        {
            var message = $"cell language '{cell.KernelName}' is not hosted by this runner (C# only)";
            return new([new ErrorElement(errorValue: message, errorName: "UnsupportedKernel", stackTrace: [])], message, null, false);
        }

        var command = new SubmitCode(cell.Contents, "csharp");
        var collector = new OutputCollector();
        // Everything the cell publishes while it runs: echoed live, and kept in case the cell never returns.
        using var live = kernel.KernelEvents.Subscribe(e =>
        {
            collector.Add(e);
            if (e is StandardOutputValueProduced or StandardErrorValueProduced)
                foreach (var line in ((DisplayEvent)e).FormattedValues.First().Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    log.WriteLine("  | " + line.TrimEnd('\r'));
        });

        var run = kernel.SendAsync(command);
        if (await Task.WhenAny(run, Task.Delay(cellTimeout)) != run)
        {
            var message = $"Cell stopped after {Format(cellTimeout)}: it ran past the runner's per-cell time limit.";
            var outputs = collector.Outputs();
            outputs.Add(new ErrorElement(errorValue: message, errorName: "TimeoutException", stackTrace: []));
            return new(outputs, message, null, true);
        }

        var result = await run;
        var failure = result.Events.OfType<CommandFailed>().FirstOrDefault(f => f.Command == command);
        var cellOutputs = collector.Outputs();
        if (failure is null) return new(cellOutputs, null, null, false);

        var error = FirstLine(failure.Message);
        var exceptionName = failure.Exception?.GetType().Name ?? "CompilationError";
        cellOutputs.Add(new ErrorElement(errorValue: failure.Message, errorName: exceptionName,
            stackTrace: (failure.Exception?.ToString() ?? "").Split('\n')));
        // A compile error's message already says what is wrong, with its (line,col); a runtime error needs its type.
        var summary = failure.Exception is null or CodeSubmissionCompilationErrorException
            ? error
            : $"{failure.Exception.GetType().FullName}: {FirstLine(failure.Exception.Message)}";
        return new(cellOutputs, summary, LineOf(failure), false);
    }

    /// <summary>The line of the cell that failed: compile errors start with "(line,col)"; runtime errors carry
    /// "Submission#N ... in :line L" once debug information is on.</summary>
    static int? LineOf(CommandFailed failure)
    {
        var compile = Regex.Match(failure.Message, @"^\((\d+),\d+\)");
        if (compile.Success) return int.Parse(compile.Groups[1].Value);
        var runtime = Regex.Match(failure.Exception?.ToString() ?? "", @"at Submission#\d+[^\n]* in [^\n]*:line (\d+)");
        return runtime.Success ? int.Parse(runtime.Groups[1].Value) : null;
    }

    static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, references) =>
            {
                kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            }, false)
            .UseKernelHelpers()
            .UseValueSharing();
        EmitDebugInformation(csharp);
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = csharp.Name;
        return composite;
    }

    /// <summary>
    /// Cells are compiled without debug information, so runtime stack traces have no line numbers. The kernel keeps
    /// its script options in a private field; switching debug information on there gives "in :line N". If a later
    /// kernel renames the field, errors simply come without the line.
    /// </summary>
    static void EmitDebugInformation(CSharpKernel kernel)
    {
        var field = typeof(CSharpKernel).GetField("_scriptOptions", BindingFlags.NonPublic | BindingFlags.Instance);
        if (field?.GetValue(kernel) is ScriptOptions options)
            field.SetValue(kernel, options.WithEmitDebugInformation(true));
    }

    static string Relative(string path) => RepoPaths.Display(path);
    static string FirstLine(string text) => text.Split('\n')[0].TrimEnd('\r');
    static string Format(TimeSpan t) => t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0.#} s";
}

/// <summary>Turns kernel events into notebook outputs in the order they happened: consecutive standard output merged
/// into one stream, a display updated in place where the cell updated it (live progress).</summary>
sealed class OutputCollector
{
    readonly List<InteractiveDocumentOutputElement> outputs = [];
    readonly Dictionary<string, int> displayIndex = [];
    readonly object gate = new();

    public void Add(KernelEvent e)
    {
        lock (gate)
        {
            switch (e)
            {
                case StandardOutputValueProduced so: AppendText("stdout", so.FormattedValues.First().Value); break;
                case StandardErrorValueProduced se: AppendText("stderr", se.FormattedValues.First().Value); break;
                case ReturnValueProduced rv when rv.Value?.GetType().Name == "DisplayedValue": break; // display() returns its handle
                case ErrorProduced ep: outputs.Add(new ErrorElement(errorValue: ep.Message, errorName: "Error", stackTrace: [])); break;
                case DisplayedValueUpdated update when update.ValueId is { } id && displayIndex.TryGetValue(id, out var at):
                    outputs[at] = ToDisplay(update);
                    break;
                case DisplayEvent display:
                    if (display.ValueId is { } valueId) displayIndex[valueId] = outputs.Count;
                    outputs.Add(ToDisplay(display));
                    break;
            }
        }
    }

    public List<InteractiveDocumentOutputElement> Outputs()
    {
        lock (gate) return [.. outputs];
    }

    void AppendText(string stream, string text)
    {
        if (outputs.Count > 0 && outputs[^1] is TextElement last && last.Name == stream)
            outputs[^1] = new TextElement(last.Text + text, stream);
        else
            outputs.Add(new TextElement(text, stream));
    }

    static DisplayElement ToDisplay(DisplayEvent e) =>
        new(e.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value));
}
