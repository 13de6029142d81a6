using System.Globalization;
using System.Text;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>Collects the figures of a macro run and prints them as a Markdown table, each with the load average it was taken under.</summary>
internal sealed class Report
{
    private readonly List<(string Section, string Metric, string Value, string Load)> _rows = [];

    public void Add(string section, string metric, string value, double load)
    {
        _rows.Add((section, metric, value, double.IsNaN(load) ? "?" : load.ToString("F1", CultureInfo.InvariantCulture)));
        Console.WriteLine($"  [{section}] {metric}: {value} (load {_rows[^1].Load})");
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| | figure | value | load (1 min) |");
        text.AppendLine("|---|---|---|---|");
        foreach (var (section, metric, value, load) in _rows)
            text.AppendLine($"| {section} | {metric} | {value} | {load} |");
        return text.ToString();
    }
}
