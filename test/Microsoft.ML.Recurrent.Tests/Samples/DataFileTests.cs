using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Support;
using global::Samples.Common;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The samples read users' files through ML.NET's TextLoader (<see cref="DelimitedFile"/>): quoted fields, another
/// separator, another column order, columns named by header or position, and errors that name the file, the line
/// and the available columns. Two verbs train end to end (tiny settings) on such files through their column options.
/// </summary>
[TestClass]
public sealed class DataFileTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private sealed class Pair
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    [TestMethod]
    public void QuotedFieldsKeepTheirSeparatorsQuotesAndLineBreaks()
    {
        using var folder = new TempFolder();
        string path = folder.File("reviews.csv");
        File.WriteAllText(path, "id,\"is positive\",\"review, full text\"\n1,yes,\"good, \"\"really\"\" good\"\n2,0,\"two\nlines\"\n3,true,plain\n");
        var file = DelimitedFile.Open(Ml, path, new TextFileFormat(null, HasHeader: true, Multiline: true), fallbackSeparator: '\t');
        Assert.AreEqual(',', file.Separator);
        CollectionAssert.AreEqual(new[] { "id", "is positive", "review, full text" }, file.ColumnNames.ToArray());

        var data = file.Load(Ml,
            new TextLoader.Column("Text", DataKind.String, file.IndexOf("review, full text", "--text-column")),
            new TextLoader.Column("Label", DataKind.Boolean, file.IndexOf("IS POSITIVE", "--label-column")));
        var rows = file.Read<Pair>(Ml, data);
        CollectionAssert.AreEqual(new[] { "good, \"really\" good", "two\nlines", "plain" }, rows.Select(r => r.Text).ToArray());
        CollectionAssert.AreEqual(new[] { true, false, true }, rows.Select(r => r.Label).ToArray());
    }

    [TestMethod]
    public void AnUnmatchedQuoteStaysOnItsLineUnlessMultilineIsAsked()
    {
        using var folder = new TempFolder();
        string path = folder.File("comments.tsv");
        // As in ML.NET's Wikipedia Detox sample: texts that start with a quote they never close.
        File.WriteAllText(path, "label\ttext\n1\t\"you said it\n0\tfine\n1\t\"again\n0\tlast\n");
        int Rows(bool multiline)
        {
            var file = DelimitedFile.Open(Ml, path, new TextFileFormat(null, HasHeader: true, Multiline: multiline), fallbackSeparator: ',');
            return file.Load(Ml, new TextLoader.Column("Text", DataKind.String, file.IndexOf("text", "--text-column"))).GetColumn<string>("Text").Count();
        }
        Assert.AreEqual(4, Rows(multiline: false));
        Assert.IsTrue(Rows(multiline: true) < 4, "a quoted field spanning lines swallows the rows after it");
    }

    [TestMethod]
    public void ColumnsAreFoundByNameThenIgnoringCaseThenByPosition()
    {
        using var folder = new TempFolder();
        string path = folder.File("data.txt");
        File.WriteAllText(path, "2;Label;label\nx;1;0\n");
        var file = DelimitedFile.Open(Ml, path, new TextFileFormat(';', HasHeader: true, Multiline: false), fallbackSeparator: ',');
        Assert.AreEqual(1, file.IndexOf("Label", "--label-column"), "an exact name wins over a case-insensitive one");
        Assert.AreEqual(2, file.IndexOf("label", "--label-column"));
        Assert.AreEqual(1, file.IndexOf("LABEL", "--label-column"), "the first case-insensitive match");
        Assert.AreEqual(0, file.IndexOf("2", "--text-column"), "a header name wins over a position");
        Assert.AreEqual(1, file.IndexOf("1", "--text-column"));

        var error = Assert.ThrowsExactly<ArgumentException>(() => file.IndexOf("Text", "--text-column"));
        Assert.AreEqual($"--text-column: {path} has no column 'Text'; its columns are '2' (0), 'Label' (1), 'label' (2).", error.Message);

        var headless = DelimitedFile.Open(Ml, path, new TextFileFormat(';', HasHeader: false, Multiline: false), fallbackSeparator: ',');
        CollectionAssert.AreEqual(new[] { "0", "1", "2" }, headless.ColumnNames.ToArray());
        var positional = Assert.ThrowsExactly<ArgumentException>(() => headless.IndexOf("Label", "--label-column"));
        StringAssert.Contains(positional.Message, "no header line, so columns are named by position 0 to 2");
    }

    [TestMethod]
    public void AValueTextLoaderCannotConvertFailsBeforeTrainingNamingFileLineAndColumn()
    {
        using var folder = new TempFolder();
        string path = folder.File("bad.tsv");
        File.WriteAllText(path, "text\tlabel\nfine\t1\nnot fine\tmaybe\n");
        var file = DelimitedFile.Open(Ml, path, new TextFileFormat(null, HasHeader: true, Multiline: false), fallbackSeparator: ',');
        Assert.AreEqual('\t', file.Separator, ".tsv means tabs");
        var data = file.Load(Ml, new TextLoader.Column("Text", DataKind.String, 0), new TextLoader.Column("Label", DataKind.Boolean, 1));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => file.Read<Pair>(Ml, data));
        Assert.AreEqual($"{path}: Could not parse value maybe in line 3, column Label", error.Message);

        string empty = folder.File("empty.csv");
        File.WriteAllText(empty, "");
        var none = Assert.ThrowsExactly<InvalidDataException>(() => DelimitedFile.Open(Ml, empty, new TextFileFormat(null, HasHeader: true, Multiline: false), fallbackSeparator: ','));
        Assert.AreEqual($"{empty} is empty.", none.Message);
    }

    [TestMethod]
    public void SentimentTrainsOnAQuotedCsvWithAnotherColumnOrderThroughTheColumnOptions()
    {
        using var folder = new TempFolder();
        string path = folder.File("reviews.csv");
        // The label is decided by one word, so the bag-of-words baseline is perfect only when both columns are read right.
        var random = new Random(3);
        string[] good = ["good", "great", "superb"], bad = ["bad", "dull", "awful"];
        var lines = new List<string> { "\"Review ID\",\"Review, as written\",Stars,\"Liked?\"" };
        for (int i = 0; i < 240; i++)
        {
            bool liked = i % 2 == 0;
            string word = (liked ? good : bad)[random.Next(3)];
            lines.Add($"{i},\"the film, I said, was \"\"{word}\"\"\",{(liked ? 5 : 1)},{(liked ? "true" : "false")}");
        }
        File.WriteAllLines(path, lines);

        var result = SamplesProcess.Run(folder.Path, null, "sentiment", "--data", path, "--text-column", "Review, as written", "--label-column", "liked?",
            "--epochs", "1", "--hidden", "8", "--embedding", "8", "--ensemble", "1", "--threads", "1", "--model", folder.File("m.zip"), "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        CollectionAssert.Contains(result.Lines, $"Read 240 training rows from {path} (20% held out for testing).");
        using var json = JsonDocument.Parse(result.Lines[^1]);
        Assert.AreEqual(1.0, json.RootElement.GetProperty("baselineAccuracy").GetDouble(), result.Output);

        var wrong = SamplesProcess.Run(folder.Path, null, "sentiment", "--data", path, "--text-column", "Review", "--label-column", "Liked?");
        Assert.AreEqual(2, wrong.ExitCode);
        StringAssert.Contains(wrong.Error, $"error: --text-column: {path} has no column 'Review'; its columns are 'Review ID' (0), 'Review, as written' (1), 'Stars' (2), 'Liked?' (3).");
    }

    [TestMethod]
    public void ForecastReadsANamedValueColumnFromASemicolonFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("sales.txt");
        var lines = new List<string> { "\"sales; units\";month;store" };
        for (int t = 0; t < 72; t++)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{100 + t + 20 * Math.Sin(2 * Math.PI * t / 12):F2};\"{2001 + t / 12}-{t % 12 + 1:D2}\";north"));
        File.WriteAllLines(path, lines);

        var result = SamplesProcess.Run(folder.Path, null, "forecast", "--data", path, "--separator", "semicolon", "--value-column", "sales; units",
            "--date-column", "month", "--horizon", "3", "--holdout", "12", "--epochs", "2", "--hidden", "8", "--ensemble", "1", "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        Assert.IsTrue(result.Lines.Any(l => l.StartsWith($"Data: {path}, 72 points (2001-01 .. 2006-12)", StringComparison.Ordinal)), result.Output);
        using var json = JsonDocument.Parse(result.Lines[^1]);
        Assert.AreEqual("forecast", json.RootElement.GetProperty("task").GetString());

        File.AppendAllText(path, "oops;2007-01;north\n");
        var bad = SamplesProcess.Run(folder.Path, null, "forecast", "--data", path, "--separator", ";", "--value-column", "sales; units");
        Assert.AreEqual(2, bad.ExitCode);
        StringAssert.Contains(bad.Error, $"error: {path}: data row 73, column 'sales; units': not a finite number (empty or not numeric).");
    }
}
