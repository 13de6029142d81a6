using System.Xml.Linq;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Docs;
using Microsoft.ML.Recurrent.Text;
using global::Samples.Common;
using global::Samples.Forecast;
using global::Samples.LanguageModel;
using global::Samples.Seq2Seq;
using global::Samples.Sentiment;
using global::Samples.Tag;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The C# that <c>--code DIR</c> writes for every training verb compiles against the library as a console program
/// (in process, with Roslyn), and its project file references the library package the tool was built with. That it
/// also builds with `dotnet build` from packages and predicts is <see cref="ToolPackageTests"/>' job.
/// </summary>
[TestClass]
public sealed class GeneratedCodeTests
{
    public static IEnumerable<object[]> Verbs => Projects.Keys.Select(k => new object[] { k });

    private static readonly Dictionary<string, GeneratedProject> Projects = new()
    {
        ["sentiment"] = SentimentCode.Create(new SentimentModel.Settings(Epochs: 3, HiddenSize: 16, EmbeddingSize: 8, EnsembleSize: 1, BatchSize: 32, LearningRate: 1e-3,
            ValidationFraction: 0.05, MaximumVocabularySize: 1000, MaxTrainingTime: null, Progress: null), new SentimentCode.Layout(',', true, false, 2, 0)),
        ["sentiment (folder)"] = SentimentCode.Create(new SentimentModel.Settings(Epochs: 3, HiddenSize: 16, EmbeddingSize: 8, EnsembleSize: 1, BatchSize: 32, LearningRate: 1e-3,
            ValidationFraction: 0.2, MaximumVocabularySize: 1000, MaxTrainingTime: null, Progress: null, Pooling: SequencePooling.Attention, EarlyStoppingPatience: 4),
            SentimentCode.Layout.Folder("pos")),
        ["sentiment (wide, long texts)"] = SentimentCode.Create(new SentimentModel.Settings(Epochs: 3, HiddenSize: 16, EmbeddingSize: 8, EnsembleSize: 1, BatchSize: 32, LearningRate: 1e-3,
            ValidationFraction: 0.2, MaximumVocabularySize: 1000, MaxTrainingTime: null, Progress: null, Wide: true, MaxTokens: 400),
            SentimentCode.Layout.Folder("pos")),
        ["language-model (grammar)"] = LanguageModelCode.Create(new LanguageModelModel.Settings(TokenGranularity.Word, 5, TimeSpan.FromMinutes(1), null)),
        ["language-model (preset)"] = LanguageModelCode.Create(new LanguageModelModel.Settings(TokenGranularity.Character, 5, TimeSpan.FromMinutes(1), null)
        {
            Net = LanguageModelModel.Network.ForGrammar(characters: true) with { Preset = nameof(Recurrent.LanguageModeling.LanguageModelTrainerOptions.ZarembaSmall) },
        }),
        ["forecast"] = ForecastCode.Create(new ForecastModel.Settings(Lookback: 24, Horizon: 12, Season: 12, HiddenSize: 8, EnsembleSize: 1, Seed: 1, Epochs: 2, Progress: null),
            positiveSeries: true, new ForecastCode.Layout(';', true, 1), Enumerable.Range(0, 50).Select(t => 100f + t).ToList()),
        ["tag (CoNLL-U)"] = TagCode.Create(new SequenceTaggingTrainerOptions { HiddenSize = 8, Epochs = 1 }, "LoadConllU(path, ConllUTagField.Xpos)"),
        ["tag (CoNLL)"] = TagCode.Create(new SequenceTaggingTrainerOptions { HiddenSize = 8, Epochs = 1 }, "LoadConll(path, tagColumnIndex: -1)"),
        ["seq2seq"] = Seq2SeqCode.Create(new Seq2SeqTrainerOptions { HiddenSize = 16, EmbeddingSize = 8, Epochs = 1, BeamWidth = 3 }, Seq2SeqCode.Layout.Default, "3 March \"2021\""),
    };

    [TestMethod]
    [DynamicData(nameof(Verbs))]
    public void TheGeneratedProjectCompilesAsAConsoleProgram(string verb)
    {
        var project = Projects[verb];
        var errors = ReadmeCodeTests.Compile(project.Training, project.Consumption, project.Program);
        Assert.AreEqual(0, errors.Count, $"{verb}: the generated code does not compile:\n{string.Join('\n', errors)}");
    }

    [TestMethod]
    [DynamicData(nameof(Verbs))]
    public void TheProjectFileReferencesTheLibraryPackageAndCopiesTheModel(string verb)
    {
        var project = Projects[verb];
        var csproj = XDocument.Parse(project.ProjectFile);
        var references = csproj.Descendants("PackageReference").ToDictionary(r => (string)r.Attribute("Include")!, r => (string)r.Attribute("Version")!);
        Assert.AreEqual(GeneratedProject.LibraryVersion, references["Microsoft.ML.Recurrent"], verb);
        Assert.AreEqual(GeneratedProject.MLNetVersion, references["Microsoft.ML"], verb);
        var model = csproj.Descendants("None").Single();
        Assert.AreEqual(project.ModelFileName, (string)model.Attribute("Include")!);
        Assert.AreEqual("PreserveNewest", (string)model.Attribute("CopyToOutputDirectory")!);
        StringAssert.Contains(project.Consumption, $"Path.Combine(AppContext.BaseDirectory, \"{project.ModelFileName}\")");
    }

    [TestMethod]
    public void TheSettingsAndLayoutUsedAreTheOnesWritten()
    {
        var sentiment = SentimentCode.Create(new SentimentModel.Settings(Epochs: 7, HiddenSize: 48, EmbeddingSize: 24, EnsembleSize: 2, BatchSize: 16, LearningRate: 0.002,
            ValidationFraction: 0, MaximumVocabularySize: 1234, MaxTrainingTime: null, Progress: null), new SentimentCode.Layout(';', false, true, 3, 1));
        foreach (string expected in new[] { "HiddenSize = 48,", "EmbeddingSize = 24,", "EnsembleSize = 2,", "Epochs = 7,", "BatchSize = 16,", "LearningRate = 0.002,",
            "validationFraction: 0.0)", "EarlyStoppingPatience = 0,", "maximumVocabularySize: 1234", "Separators = [';'],", "HasHeader = false,", "ReadMultilines = true }" })
            StringAssert.Contains(sentiment.Training, expected);
        StringAssert.Contains(sentiment.Consumption, "[LoadColumn(3)]\n        public string Text");
        StringAssert.Contains(sentiment.Consumption, "[LoadColumn(1)]\n        public bool Label");
        var folder = Projects["sentiment (folder)"].Training;
        foreach (string expected in new[] { "LoadFromTextFolder(path, positiveClass: \"pos\")", "Pooling = SequencePooling.Attention,", "EarlyStoppingPatience = 4," })
            StringAssert.Contains(folder, expected);
        StringAssert.Contains(folder, "var model = BuildPipeline(mlContext).Fit(data);", "without wide features the pipeline is fitted whole");
        var wide = Projects["sentiment (wide, long texts)"].Training;
        foreach (string expected in new[] { "WideFeatureColumnName = \"NaiveBayesFeatures\",", "NgramLength = 2, UseAllLengths = true", "CharFeatureExtractor = null,",
            "WeightByLogCountRatio(\"NaiveBayesFeatures\", \"TermCounts\", nameof(ModelInput.Label))", "PadSequence(\"Tokens\", 400, truncation: Microsoft.ML.Recurrent.Sequences.SequenceEnd.Middle)",
            // Label-fitted features: the validation rows are held out before the preprocessing is fitted.
            "TrainTestSplit(data, testFraction: 0.2, seed: 1)", "BuildTrainer(mlContext, validationFraction: 0).Fit(preprocessing.Transform(split.TrainSet), preprocessing.Transform(split.TestSet))" })
            StringAssert.Contains(wide, expected);
        StringAssert.Contains(Seq2SeqCode.Create(new Seq2SeqTrainerOptions(), Seq2SeqCode.Layout.Default, "a \"quoted\" \\ text").Program,
            "\"a \\u0022quoted\\u0022 \\\\ text\"");
    }
}
