using System.Globalization;

namespace NotebookHelpers.Core;

/// <summary>How numbers read in tables, progress lines and chart labels.</summary>
public static class NumberText
{
    /// <summary>
    /// Three decimals for everyday magnitudes (0.731, 12.346, 1234.500); three significant digits in scientific
    /// notation for tiny or huge ones (1.23e-05, 4.57e+08), where fixed decimals would show 0.000 or a wall of digits;
    /// "NaN", "+Inf", "-Inf" for the rest. Invariant culture, so notebooks read the same everywhere.
    /// </summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        var magnitude = Math.Abs(value);
        if (value != 0 && (magnitude < 1e-3 || magnitude >= 1e6))
            return value.ToString("0.00e+00", CultureInfo.InvariantCulture);
        return value.ToString("F3", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// At most three decimals with trailing zeros dropped (120, 8.5, 0.85, 2.59), scientific for tiny or huge values:
    /// for labels beside bars and points, where aligned decimals do not matter and short text does.
    /// </summary>
    public static string Compact(double value)
    {
        if (!double.IsFinite(value)) return Format(value);
        var magnitude = Math.Abs(value);
        if (value != 0 && (magnitude < 1e-3 || magnitude >= 1e6))
            return value.ToString("0.##e+00", CultureInfo.InvariantCulture);
        return value.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
