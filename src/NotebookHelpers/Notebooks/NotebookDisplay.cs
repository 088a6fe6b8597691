using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using NotebookHelpers.Visualization;

namespace NotebookHelpers.Notebooks;

/// <summary>
/// Shows figures and tables in a .NET Interactive notebook (as <c>image/png</c> and <c>text/html</c> outputs) and as
/// one-line summaries or plain text in a console, so the same library call works in a notebook and in the CLI.
/// </summary>
public static class NotebookDisplay
{
    /// <summary>The MIME type a <see cref="Figure"/> displays as.</summary>
    public const string PngMimeType = "image/png";

    /// <summary>The MIME type an <see cref="HtmlTable"/> displays as.</summary>
    public const string HtmlMimeType = "text/html";

    static readonly Lock RegistrationLock = new();
    static bool _registered;

    /// <summary>
    /// Loading the library in a kernel is enough for figures and tables to display as images and tables:
    /// this runs once, when the library is first used.
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Registering display formatters on load is the purpose.")]
    internal static void RegisterOnLoad()
    {
        try
        {
            RegisterFormatters();
        }
        catch (Exception)
        {
            // Display is a convenience; a kernel whose formatting API differs must not stop the library from loading.
        }
    }

    /// <summary>
    /// Registers with the kernel's <see cref="Formatter"/>: a <see cref="Figure"/> formats as its base64 PNG under
    /// <c>image/png</c> (its preferred MIME type), an <see cref="HtmlTable"/> as its HTML under <c>text/html</c>, and
    /// both as their one-line or aligned text under <c>text/plain</c>. Safe to call more than once.
    /// </summary>
    public static void RegisterFormatters()
    {
        lock (RegistrationLock)
        {
            if (_registered) return;
            Formatter.Register<Figure>((figure, writer) => writer.Write(Convert.ToBase64String(figure.Png)), PngMimeType);
            Formatter.Register<Figure>((figure, writer) => writer.Write(figure.ToString()), "text/plain");
            Formatter.SetPreferredMimeTypesFor(typeof(Figure), PngMimeType);
            Formatter.Register<HtmlTable>((table, writer) => writer.Write(table.ToHtml()), HtmlMimeType);
            Formatter.Register<HtmlTable>((table, writer) => writer.Write(table.ToString()), "text/plain");
            Formatter.SetPreferredMimeTypesFor(typeof(HtmlTable), HtmlMimeType);
            _registered = true;
        }
    }

    /// <summary>Whether code is running inside a notebook cell (a .NET Interactive kernel command).</summary>
    public static bool InNotebook => KernelInvocationContext.Current is not null;

    /// <summary>
    /// Displays <paramref name="value"/> as a cell output in a notebook. In a console it writes a text form to
    /// <paramref name="console"/> (standard output by default): a figure as a one-line summary such as
    /// <c>[figure: Loss curve, 640x400]</c>, a table as aligned text, anything else with <c>ToString()</c>.
    /// </summary>
    public static void Show(object value, TextWriter? console = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (KernelInvocationContext.Current is { } context)
        {
            RegisterFormatters();
            Display(context, value);
        }
        else
        {
            (console ?? Console.Out).WriteLine(Describe(value));
        }
    }

    /// <summary>
    /// Displays <paramref name="value"/> and returns a handle whose <see cref="DisplayHandle.Update"/> replaces that
    /// output in place (in a notebook), for live outputs such as training progress. In a console each update writes
    /// a new line.
    /// </summary>
    public static DisplayHandle ShowUpdatable(object value, TextWriter? console = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (KernelInvocationContext.Current is { } context)
        {
            RegisterFormatters();
            return new DisplayHandle(Display(context, value), null);
        }
        var writer = console ?? Console.Out;
        writer.WriteLine(Describe(value));
        return new DisplayHandle(null, writer);
    }

    /// <summary>The console text of a value: a figure's one-line summary, a table's aligned text, or <c>ToString()</c>.</summary>
    public static string Describe(object value) => value.ToString() ?? value.GetType().Name;

    static DisplayedValue Display(KernelInvocationContext context, object value) => value switch
    {
        Figure => context.Display(value, PngMimeType),
        HtmlTable => context.Display(value, HtmlMimeType),
        _ => context.Display(value),
    };
}

/// <summary>An output that can be replaced in place; see <see cref="NotebookDisplay.ShowUpdatable"/>.</summary>
public sealed class DisplayHandle
{
    readonly DisplayedValue? _displayed;
    readonly TextWriter? _console;

    internal DisplayHandle(DisplayedValue? displayed, TextWriter? console)
    {
        _displayed = displayed;
        _console = console;
    }

    /// <summary>Replaces the displayed output with <paramref name="value"/> (console: writes its text form as a new line).</summary>
    public void Update(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_displayed is not null) _displayed.Update(value);
        else _console?.WriteLine(NotebookDisplay.Describe(value));
    }
}
