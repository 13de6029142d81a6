using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Samples.Common;

/// <summary>
/// Typed System.CommandLine options shared by every verb. Values are parsed with the invariant culture and checked
/// here, so that every bad value gets the same message shape — <c>--NAME must be REQUIREMENT; got 'VALUE'.</c> — which
/// <see cref="SampleVerbs.Invoke"/> prints with the verb's help hint and exit code 2.
/// </summary>
public static class VerbOptions
{
    /// <summary>An integer option with a default shown in help.</summary>
    public static Option<int> Integer(string name, string description, int defaultValue, int minimum = 1)
        => Create(name, description, Requirement(minimum), text => ParseInteger(text, minimum), () => defaultValue, "N");

    /// <summary>An integer option without a fixed default: null when not given (the verb chooses, and says so in the description).</summary>
    public static Option<int?> OptionalInteger(string name, string description, int minimum = 1)
        => Create<int?>(name, description, Requirement(minimum), text => { var (ok, value) = ParseInteger(text, minimum); return (ok, ok ? (int?)value : null); }, null, "N");

    /// <summary>A number option with a default shown in help; values must be at least <paramref name="minimum"/> (or above it when <paramref name="exclusive"/>).</summary>
    public static Option<double> Number(string name, string description, double defaultValue, double minimum = 0, bool exclusive = true, double? below = null)
        => Create(name, description, Range(minimum, exclusive, below), text => ParseNumber(text, minimum, exclusive, below), () => defaultValue, "X");

    /// <summary>A number option without a fixed default: null when not given.</summary>
    public static Option<double?> OptionalNumber(string name, string description, double minimum = 0, bool exclusive = true, double? below = null)
        => Create<double?>(name, description, Range(minimum, exclusive, below), text => { var (ok, value) = ParseNumber(text, minimum, exclusive, below); return (ok, ok ? (double?)value : null); }, null, "X");

    /// <summary>A file the verb reads: it must exist. Null when not given.</summary>
    public static Option<FileInfo?> ExistingFile(string name, string description, bool required = false)
    {
        var option = Create<FileInfo?>(name, description, "an existing file", text => File.Exists(text) ? (true, new FileInfo(text)) : (false, null), null, "PATH");
        option.Required = required;
        return option;
    }

    /// <summary>A file or a folder the verb reads: it must exist. Null when not given.</summary>
    public static Option<string?> ExistingFileOrFolder(string name, string description)
        => Create<string?>(name, description, "an existing file or folder", text => File.Exists(text) || Directory.Exists(text) ? (true, Path.GetFullPath(text)) : (false, null), null, "PATH|DIR");

    /// <summary>A file or folder the verb writes. Null when not given.</summary>
    public static Option<string?> OutputPath(string name, string description, bool required = false, string helpName = "PATH")
    {
        var option = Create<string?>(name, description, "a path", text => text.Length > 0 ? (true, text) : (false, null), null, helpName);
        option.Required = required;
        return option;
    }

    /// <summary>Free text (a prompt, a column name). Null when not given unless <paramref name="defaultValue"/> is set.</summary>
    public static Option<string?> Text(string name, string description, string? defaultValue = null, string helpName = "TEXT")
        => Create<string?>(name, description, "some text", text => (true, text), defaultValue is null ? null : () => defaultValue, helpName);

    /// <summary>One of a fixed set of words (compared ordinally, case-insensitively); help lists them.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
        => Create(name, description, "one of " + string.Join(", ", choices),
            text => choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase)) is { } choice ? (true, choice) : (false, ""),
            () => defaultValue, string.Join('|', choices));

    /// <summary>An on/off switch (no value).</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Option<T> Create<T>(string name, string description, string requirement, Func<string, (bool Ok, T Value)> parse, Func<T>? defaultValue, string helpName)
    {
        var option = new Option<T>(name) { Description = description, HelpName = helpName };
        option.CustomParser = result =>
        {
            // Arity is one value; the parser reports a missing value itself before calling this.
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            var (ok, value) = parse(text);
            if (ok)
                return value;
            result.AddError(Invalid(name, requirement, text));
            return default!;
        };
        if (defaultValue is not null)
            option.DefaultValueFactory = _ => defaultValue();
        return option;
    }

    /// <summary>The one message shape of a bad option value.</summary>
    public static string Invalid(string name, string requirement, string value) => $"{name} must be {requirement}; got '{value}'.";

    private static (bool, int) ParseInteger(string text, int minimum)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum ? (true, value) : (false, 0);

    private static (bool, double) ParseNumber(string text, double minimum, bool exclusive, double? below)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
           && (exclusive ? value > minimum : value >= minimum) && (below is null || value < below)
            ? (true, value) : (false, 0);

    private static string Requirement(int minimum) => minimum switch
    {
        0 => "a whole number, 0 or more",
        1 => "a positive whole number",
        _ => $"a whole number, at least {minimum.ToString(CultureInfo.InvariantCulture)}",
    };

    private static string Range(double minimum, bool exclusive, double? below)
    {
        string low = (exclusive ? "above " : "at least ") + minimum.ToString(CultureInfo.InvariantCulture);
        return below is { } b ? $"a number {low} and below {b.ToString(CultureInfo.InvariantCulture)}" : $"a number {low}";
    }
}
