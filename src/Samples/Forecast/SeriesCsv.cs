using System.Globalization;

namespace Samples.Forecast;

/// <summary>Reads one value column (and optionally a date column) from a CSV file with a header row; fields may be quoted.</summary>
internal static class SeriesCsv
{
    public static (string[] Dates, float[] Values) Read(string path, string valueColumn, string? dateColumn)
    {
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty; expected a header row.");
        var names = Split(header);
        int valueIndex = IndexOf(names, valueColumn, path);
        int dateIndex = dateColumn is null ? -1 : IndexOf(names, dateColumn, path);
        var dates = new List<string>();
        var values = new List<float>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0)
                continue;
            var fields = Split(line);
            if (fields.Count <= Math.Max(valueIndex, dateIndex))
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Count} fields; column '{valueColumn}' is field {valueIndex + 1}.");
            if (!float.TryParse(fields[valueIndex], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                throw new InvalidDataException($"{path}, line {lineNumber}: column '{valueColumn}' holds '{fields[valueIndex]}', not a finite number.");
            values.Add(value);
            dates.Add(dateIndex >= 0 ? fields[dateIndex] : (values.Count - 1).ToString(CultureInfo.InvariantCulture));
        }
        return (dates.ToArray(), values.ToArray());
    }

    private static int IndexOf(List<string> names, string column, string path)
    {
        int index = names.FindIndex(n => string.Equals(n, column, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index
            : throw new ArgumentException($"{path} has no column '{column}'; its columns are {string.Join(", ", names)}.");
    }

    /// <summary>Splits a CSV line on commas outside double quotes; doubled quotes inside quotes are one quote.</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
                current.Append(c);
        }
        fields.Add(current.ToString().Trim());
        return fields;
    }
}
