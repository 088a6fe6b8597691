using System.Globalization;

namespace NotebookHelpers.Cli.Commands;

/// <summary>Parses durations given on the command line: <c>900</c> or <c>900s</c>, <c>15m</c>, <c>1h</c>.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = t.Length > 0 && char.IsLetter(t[^1]) ? (t[..^1], t[^1]) : (t, 's');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || unit is not ('s' or 'm' or 'h'))
            throw new FormatException($"'{text}' is not a duration: use seconds (900 or 900s), minutes (15m) or hours (1h).");
        return unit switch { 'h' => TimeSpan.FromHours(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
    }
}
