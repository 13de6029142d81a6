using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using SkiaSharp;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// Runs the sample verbs end to end as child processes on a fresh build: one tiny sentiment training (with --plot and
/// --json) shared by the class, then inspect and predict on the model it saved.
/// </summary>
[TestClass]
public sealed class CommandLineTests
{
    private static TempFolder? _folder;
    private static SamplesProcess.Result? _training;

    private static TempFolder Folder => _folder ?? throw new InvalidOperationException("ClassInitialize did not run.");
    private static SamplesProcess.Result Training => _training ?? throw new InvalidOperationException("ClassInitialize did not run.");
    private static string ModelPath => Folder.File("sentiment.zip");

    [ClassInitialize]
    public static void TrainATinySentimentModel(TestContext context)
    {
        _ = context;
        _folder = new TempFolder();
        // A few hundred generated sentences and a tiny network: seconds, even on a busy machine.
        _training = SamplesProcess.Run(Folder.Path, null, "sentiment", "--rows", "300", "--epochs", "2", "--hidden", "8", "--embedding", "8",
            "--validation-fraction", "0.2", "--model", ModelPath, "--plot", Folder.File("curves.png"), "--json");
    }

    [ClassCleanup]
    public static void DeleteTheFolder() => _folder?.Dispose();

    [TestMethod]
    public void TrainingWithRedirectedOutputLogsPlainLinesAndKeepsTheJsonLastLine()
    {
        Assert.AreEqual(0, Training.ExitCode, Training.Error);
        CollectionAssert.Contains(Training.Lines, "Training sentiment: up to 2 epochs.");
        Assert.IsTrue(Training.Lines.Any(l => l.StartsWith("  epoch 1/2: training loss ", StringComparison.Ordinal) && l.Contains("validation accuracy", StringComparison.Ordinal)),
            Training.Output);
        Assert.IsFalse(Training.Output.Contains('\u001b'), "no terminal escape sequences when output is redirected");
        using var last = JsonDocument.Parse(Training.Lines[^1]);
        Assert.AreEqual("sentiment", last.RootElement.GetProperty("task").GetString());
        Assert.AreEqual(ModelPath, last.RootElement.GetProperty("model").GetString());
    }

    [TestMethod]
    public void PlotIsAPngWithDrawnCurves()
    {
        Assert.AreEqual(0, Training.ExitCode, Training.Error);
        byte[] png = File.ReadAllBytes(Folder.File("curves.png"));
        CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8], "PNG signature");
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.AreEqual(900, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.AreEqual(500, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

        using var bitmap = SKBitmap.Decode(Folder.File("curves.png"));
        Assert.AreEqual(900, bitmap.Width);
        var colors = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 2)
        {
            for (int x = 0; x < bitmap.Width; x += 2)
                colors.Add(bitmap.GetPixel(x, y));
        }
        // Axes, text, grid and two anti-aliased curves: far more than a blank or single-colour image.
        Assert.IsTrue(colors.Count > 20, $"only {colors.Count} distinct colours");
    }

    [TestMethod]
    public void InspectShowsSettingsHistoryAndMetrics()
    {
        var result = SamplesProcess.Run(Folder.Path, null, "inspect", "--model", ModelPath);
        Assert.AreEqual(0, result.ExitCode, result.Error);
        foreach (string expected in new[] { "BinaryClassification", "Settings", "HiddenSize", "History", "training loss", "validation accuracy", "Metrics", "fingerprint", "LibTorch" })
            StringAssert.Contains(result.Output, expected);
        Assert.IsTrue(result.Lines.Any(l => l.Contains("HiddenSize", StringComparison.Ordinal) && l.Contains(" 8 ", StringComparison.Ordinal)), result.Output);

        var json = SamplesProcess.Run(Folder.Path, null, "inspect", "--model", ModelPath, "--json");
        Assert.AreEqual(0, json.ExitCode, json.Error);
        using var stories = JsonDocument.Parse(json.Output);
        var story = stories.RootElement.EnumerateArray().Single();
        Assert.AreEqual("BinaryClassification", story.GetProperty("Task").GetString());
        Assert.AreEqual("8", story.GetProperty("Hyperparameters").GetProperty("HiddenSize").GetString());
        Assert.IsTrue(story.GetProperty("History")[0].GetArrayLength() >= 1);
        StringAssert.Contains(result.Output, story.GetProperty("TrainingDataFingerprint").GetString()!);
    }

    [TestMethod]
    public void PredictTakesTextFromTheOptionOrFromStandardInput()
    {
        var single = SamplesProcess.Run(Folder.Path, null, "predict", "--model", ModelPath, "--text", "the movie was good", "--json");
        Assert.AreEqual(0, single.ExitCode, single.Error);
        using (var row = JsonDocument.Parse(single.Lines.Single()))
        {
            Assert.AreEqual("the movie was good", row.RootElement.GetProperty("input").GetString());
            float probability = row.RootElement.GetProperty("Probability").GetSingle();
            Assert.IsTrue(probability is >= 0 and <= 1);
            Assert.AreEqual(probability > 0.5, row.RootElement.GetProperty("PredictedLabel").GetBoolean());
            Assert.IsFalse(row.RootElement.TryGetProperty("Tokens", out _), "intermediate columns are left out by default");
        }

        var piped = SamplesProcess.Run(Folder.Path, "the plot was dull\n\nthe cast was not bad\nthe ending was great\n", "predict", "--model", ModelPath, "--json");
        Assert.AreEqual(0, piped.ExitCode, piped.Error);
        var inputs = piped.Lines.Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("input").GetString(); }).ToArray();
        CollectionAssert.AreEqual(new[] { "the plot was dull", "the cast was not bad", "the ending was great" }, inputs);

        var human = SamplesProcess.Run(Folder.Path, null, "predict", "--model", ModelPath, "--text", "the movie was good");
        Assert.AreEqual(0, human.ExitCode, human.Error);
        StringAssert.Contains(human.Output, "Probability");
        StringAssert.Contains(human.Output, "PredictedLabel");
    }

    [TestMethod]
    public void PredictContinuesThePromptOfALanguageModel()
    {
        var (ml, tokenizer, model, data) = TinyCorpus.Model;
        string path = Folder.File("lm.zip");
        ml.Model.Save(tokenizer.Append(model), data.Schema, path);

        var result = SamplesProcess.Run(Folder.Path, null, "predict", "--model", path, "--text", "the cat", "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error);
        using var row = JsonDocument.Parse(result.Lines.Single());
        Assert.IsTrue(row.RootElement.GetProperty("LogProbability").GetSingle() < 0);
        Assert.IsFalse(string.IsNullOrWhiteSpace(row.RootElement.GetProperty("Generated").GetString()));
    }

    private sealed class Tagged
    {
        public string Text { get; set; } = "";
        public string Kind { get; set; } = "";
    }

    [TestMethod]
    public void PredictPrintsAMulticlassModelsClassNamesAndScores()
    {
        // The class is the word that occurs most often; a few epochs of a tiny network are enough for the plumbing.
        var random = new Random(1);
        string[] names = ["alpha", "beta", "gamma"];
        var rows = Enumerable.Range(0, 240).Select(i => new Tagged
        {
            Kind = names[i % 3],
            Text = string.Join(' ', Enumerable.Repeat(names[i % 3], 3).Append(names[random.Next(3)]).OrderBy(_ => random.Next())),
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Classification.RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Kind")
            .Append(ml.Transforms.Text.TokenizeToSequence("Tokens", "Text"))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedKind", "PredictedLabel"))
            .Fit(data);
        string path = Folder.File("multiclass.zip");
        ml.Model.Save(model, data.Schema, path);

        var result = SamplesProcess.Run(Folder.Path, null, "predict", "--model", path, "--text", "gamma beta gamma gamma", "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error);
        using var row = JsonDocument.Parse(result.Lines.Single());
        Assert.AreEqual(3, row.RootElement.GetProperty("Score").GetArrayLength());
        CollectionAssert.Contains(names, row.RootElement.GetProperty("PredictedLabel").GetString());
        Assert.AreEqual(row.RootElement.GetProperty("PredictedLabel").GetString(), row.RootElement.GetProperty("PredictedKind").GetString());
    }

    [TestMethod]
    public void BadArgumentsExitWithTwoAndSaySo()
    {
        var missing = SamplesProcess.Run(Folder.Path, null, "inspect", "--model", Folder.File("missing.zip"));
        Assert.AreEqual(2, missing.ExitCode);
        StringAssert.Contains(missing.Error, "missing.zip");

        var unknown = SamplesProcess.Run(Folder.Path, null, "no-such-verb");
        Assert.AreEqual(2, unknown.ExitCode);
        StringAssert.Contains(unknown.Error, "no-such-verb");

        var help = SamplesProcess.Run(Folder.Path, null, "--help");
        Assert.AreEqual(0, help.ExitCode);
        foreach (string verb in new[] { "sentiment", "language-model", "forecast", "inspect", "predict" })
            StringAssert.Contains(help.Output, verb);
    }
}
