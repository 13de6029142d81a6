using System.Globalization;

namespace Samples.Seq2Seq;

/// <summary>
/// Generates the default sequence-to-sequence task: a date written in one of many human formats, to be rewritten
/// as ISO 8601 <c>yyyy-MM-dd</c>. Every format is unambiguous (slashes are always day first), two-digit years mean
/// 1950-2049, and the dates span 1950-2049.
/// </summary>
public static class DateCorpus
{
    /// <summary>One example: the human-written date and its ISO form.</summary>
    public sealed record Pair(string Source, string Target);

    private static readonly string[] Formats =
    [
        "d MMMM yyyy", "dd/MM/yy", "dd/MM/yyyy", "d/M/yyyy", "MMMM d, yyyy", "ORDINAL", "ddd, d MMM yyyy", "yyyy.MM.dd",
        "dd.MM.yyyy", "d MMM yyyy", "MMM d yyyy", "dddd, MMMM d, yyyy", "dd-MMM-yyyy", "d MMM yy", "yyyyMMdd",
    ];

    private static readonly DateTime First = new(1950, 1, 1);
    private const int Days = 36524; // 1950-01-01 to 2049-12-31

    /// <summary>The formats, for documentation and tests ("ORDINAL" is "March 3rd, 2021").</summary>
    public static IReadOnlyList<string> FormatNames => Formats;

    /// <summary>
    /// <paramref name="count"/> examples from <paramref name="seed"/>, none whose source text is in <paramref name="exclude"/>
    /// (held-out sets pass the training sources so that no test example was seen in training).
    /// </summary>
    public static List<Pair> Generate(int count, int seed, IReadOnlySet<string>? exclude = null)
    {
        var random = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Pair>(count);
        while (result.Count < count)
        {
            var date = First.AddDays(random.Next(Days + 1));
            string source = Write(date, Formats[random.Next(Formats.Length)]);
            if ((exclude?.Contains(source) ?? false) || !seen.Add(source))
                continue;
            result.Add(new Pair(source, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>Writes <paramref name="date"/> in one of <see cref="FormatNames"/>.</summary>
    public static string Write(DateTime date, string format) => format == "ORDINAL"
        ? $"{date.ToString("MMMM", CultureInfo.InvariantCulture)} {date.Day}{Suffix(date.Day)}, {date.Year}"
        : date.ToString(format, CultureInfo.InvariantCulture);

    private static string Suffix(int day) => day is 11 or 12 or 13 ? "th" : (day % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
}
