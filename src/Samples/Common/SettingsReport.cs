using System.Globalization;

namespace Samples.Common;

/// <summary>
/// The settings a verb chose for the data it was given, printed as one line before training, so that a user sees
/// what the defaults became (and which values they gave themselves): <c>Settings for BASIS: hidden 128, epochs 8 (given), …</c>.
/// </summary>
public sealed class SettingsReport
{
    private readonly List<string> _items = [];

    /// <summary>Records <paramref name="given"/> if the user gave it, else <paramref name="chosen"/>; returns the value used.</summary>
    public T Choose<T>(string name, T? given, T chosen) where T : struct
    {
        T value = given ?? chosen;
        _items.Add($"{name} {Format(value)}{(given is null ? "" : " (given)")}");
        return value;
    }

    /// <summary>Records a value the verb does not let the user change here.</summary>
    public void Note(string name, object value) => _items.Add($"{name} {Format(value)}");

    /// <summary>The line: <c>Settings for BASIS: …</c>.</summary>
    public string Line(string basis) => $"Settings for {basis}: {string.Join(", ", _items)}.";

    private static string Format(object? value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        TimeSpan t => t.TotalMinutes.ToString("G4", CultureInfo.InvariantCulture) + " min",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "none",
    };
}
