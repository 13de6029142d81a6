using System.Globalization;

namespace Samples.Sentiment;

/// <summary>
/// Reads a tab-separated file of labelled texts (SST-2's layout by default: a header line, the text in the first
/// column, the label 0/1 in the second). Errors name the file and the line.
/// </summary>
public static class LabelledTextFile
{
    public static List<SentimentModel.ModelInput> Read(string path, int textColumn = 0, int labelColumn = 1, bool hasHeader = true)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        var rows = new List<SentimentModel.ModelInput>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (hasHeader && lineNumber == 1 || line.Length == 0)
                continue;
            string[] fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length <= Math.Max(textColumn, labelColumn))
                throw new FormatException($"{path}, line {lineNumber}: expected at least {Math.Max(textColumn, labelColumn) + 1} tab-separated columns, found {fields.Length}.");
            rows.Add(new SentimentModel.ModelInput { Text = fields[textColumn].Trim(), Label = ParseLabel(fields[labelColumn], path, lineNumber) });
        }
        if (rows.Count == 0)
            throw new FormatException($"{path} holds no labelled rows.");
        return rows;
    }

    private static bool ParseLabel(string text, string path, int lineNumber)
    {
        string value = text.Trim();
        if (value is "1" or "true" or "True" or "positive")
            return true;
        if (value is "0" or "false" or "False" or "negative")
            return false;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && number is 0 or 1)
            return number == 1;
        throw new FormatException($"{path}, line {lineNumber}: label '{text}' is not 0/1, true/false or positive/negative.");
    }
}
