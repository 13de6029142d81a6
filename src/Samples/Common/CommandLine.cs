using System.Globalization;

namespace Samples.Common;

/// <summary>
/// Minimal "--name value" / "--flag" parser shared by the sample commands. Unknown options are errors, so a typo
/// never silently trains with defaults.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IEnumerable<string> flags)
    {
        var flagSet = flags.ToHashSet(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{arg}': options start with --.");
            string name = arg[2..];
            if (flagSet.Contains(name))
                _values[name] = null;
            else if (e.MoveNext())
                _values[name] = e.Current;
            else
                throw new ArgumentException($"Option --{name} needs a value.");
        }
    }

    public bool Flag(string name) => Mark(name) && _values.ContainsKey(name);

    public string? String(string name) => Mark(name) && _values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback) => Parse(name, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    public double Double(string name, double fallback) => Parse(name, fallback, s => double.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>Throws when an option was given that the command never asked for.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }

    private bool Mark(string name) => _read.Add(name) || true;

    private T Parse<T>(string name, T fallback, Func<string, T> parse)
    {
        string? text = String(name);
        if (text is null)
            return fallback;
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"Option --{name}: '{text}' is not a valid {typeof(T).Name}.");
        }
    }
}
