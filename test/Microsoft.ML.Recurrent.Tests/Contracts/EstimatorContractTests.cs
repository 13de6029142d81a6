using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Seq2Seq;
using Microsoft.ML.Recurrent.Tests.Tagging;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Tests.Contracts;

/// <summary>
/// <see cref="EstimatorContract"/> applied to every public estimator of the library, with tiny models and a few dozen
/// generated rows: each promises exactly the schema its transformer delivers, applies to the data it was fitted on,
/// reads through any cursor, survives saving, and names a missing or mistyped input column.
/// </summary>
[TestClass]
public sealed class EstimatorContractTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class TokenRow
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
        public bool Label { get; set; }
        public string Class { get; set; } = "";
        public float ClassId { get; set; }
    }

    private sealed class NumericRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        [VectorType]
        public string[] Words { get; set; } = [];
    }

    private sealed class SeriesStep
    {
        public float Value { get; set; }
        public double Phase { get; set; }
    }

    private sealed class NetworkOutput
    {
        [VectorType(3)]
        public float[] Output { get; set; } = [];
    }

    /// <summary>Every public estimator of the library and the test here that checks it: a new one fails <see cref="EveryPublicEstimatorHasAContractTest"/> until it has one.</summary>
    private static readonly Dictionary<Type, string> Covered = new()
    {
        [typeof(TokenizeToSequenceEstimator)] = nameof(TokenizeToSequence),
        [typeof(PadSequenceEstimator)] = nameof(PadSequenceOnNumbersAndOnKeysWithValueNames),
        [typeof(NormalizeSequenceEstimator)] = nameof(NormalizeSequence),
        [typeof(LogCountRatioEstimator)] = nameof(WeightByLogCountRatioOnSparseCounts),
        [typeof(MfccEstimator)] = nameof(ExtractMfccOnSamples),
        [typeof(RecurrentSequenceTrainer)] = $"{nameof(BinaryRecurrentTrainerAndEvaluate)}, {nameof(MulticlassRecurrentTrainerWithAndWithoutClassNames)}, {nameof(RegressionRecurrentTrainerOnNumericSequences)}",
        [typeof(LanguageModelTrainer)] = nameof(LanguageModelTrainerWithLogProbabilityAndGeneration),
        [typeof(RecurrentForecastingTrainer)] = nameof(ForecastingTrainerOnTheSeriesItself),
        [typeof(SequenceTaggingTrainer)] = nameof(SequenceTaggingTrainerAnnouncesItsTagSet),
        [typeof(Seq2SeqTrainer)] = nameof(SequenceToSequenceTrainerWithTargetVocabulary),
        [typeof(SequenceScoreEstimator)] = nameof(ScoreColumnsOfAnOnnxModelsOutput),
    };

    private static readonly string[] Words = ["red", "green", "blue", "cat", "dog", "runs", "sleeps", "the", "a"];

    /// <summary>Rows of 2-6 token ids in 2..9; the binary label is whether id 5 occurs, the class is the first id modulo 3.</summary>
    private static List<TokenRow> TokenRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var tokens = Enumerable.Range(0, random.Next(2, 7)).Select(_ => random.Next(2, 10)).ToArray();
            return new TokenRow { Tokens = tokens, Label = tokens.Contains(5), Class = $"c{tokens[0] % 3}", ClassId = tokens[0] % 3 * 10 };
        }).ToList();
    }

    /// <summary>Rows of 1-4 steps of 2 features; the label is the sum of the first feature.</summary>
    private static List<NumericRow> NumericRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int steps = random.Next(1, 5);
            var features = Enumerable.Range(0, steps * 2).Select(_ => (float)random.NextDouble()).ToArray();
            return new NumericRow
            {
                Features = features,
                Label = Enumerable.Range(0, steps).Sum(s => features[2 * s]),
                Words = Enumerable.Range(0, steps).Select(_ => Words[random.Next(Words.Length)]).ToArray(),
            };
        }).ToList();
    }

    private static RecurrentSequenceTrainerOptions TinyClassifier(int featureSize = 0) => new()
    {
        FeatureColumnName = featureSize == 0 ? "Tokens" : "Features",
        FeatureSize = featureSize,
        HiddenSize = 4,
        EmbeddingSize = 4,
        Epochs = 1,
        BatchSize = 8,
        ValidationFraction = 0,
        EarlyStoppingPatience = 0,
        Seed = 1,
    };

    [TestMethod]
    public void TokenizeToSequence()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 24).Select(i => new TextRow { Text = $"{Words[i % 9]} {Words[(i * 5) % 9]} runs" }));
        EstimatorContract.Check(ml.Transforms.Text.TokenizeToSequence("Tokens", "Text"), data, "Text");
    }

    [TestMethod]
    public void PadSequenceOnNumbersAndOnKeysWithValueNames()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NumericRows(24, seed: 1));
        EstimatorContract.Check(ml.Transforms.PadSequence("Padded", 5, "Features", lengthColumnName: "Length"), data, "Features");

        // Keys keep their value names through padding: the KeyValues annotation is promised and delivered.
        var keyed = ml.Transforms.Conversion.MapValueToKey("WordKeys", "Words").Fit(data).Transform(data);
        var output = EstimatorContract.Check(ml.Transforms.PadSequence("PaddedKeys", 3, "WordKeys"), keyed, "WordKeys");
        Assert.IsNotNull(output.Schema["PaddedKeys"].Annotations.Schema.GetColumnOrNull("KeyValues"));
    }

    private sealed class AudioRow
    {
        public float[] Samples { get; set; } = [];
    }

    [TestMethod]
    public void ExtractMfccOnSamples()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(1, 3).Select(seed => new AudioRow { Samples = Audio.TestAudio.Tones(1200 + 200 * seed, 8000, seed) }));
        EstimatorContract.Check(ml.Transforms.ExtractMfcc("Features", "Samples", sampleRate: 8000), data, "Samples");
    }

    [TestMethod]
    public void NormalizeSequence()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NumericRows(24, seed: 2));
        EstimatorContract.Check(ml.Transforms.NormalizeSequence("Normalized", "Features", featureCount: 2), data, "Features");
    }

    private sealed class CountRow
    {
        [VectorType(6)]
        public VBuffer<float> Counts { get; set; }
        public bool Label { get; set; }
    }

    [TestMethod]
    public void WeightByLogCountRatioOnSparseCounts()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 24).Select(i =>
        {
            // Two of six terms per row, the first chosen by the label.
            int[] slots = [i % 2 == 0 ? 0 : 1, 2 + random.Next(4)];
            return new CountRow { Counts = new VBuffer<float>(6, 2, [1 + random.Next(3), 1], slots), Label = i % 2 == 0 };
        });
        EstimatorContract.Check(ml.Transforms.Text.WeightByLogCountRatio("Weighted", "Counts"), ml.Data.LoadFromEnumerable(rows.ToList()), "Counts", "Label");
    }

    [TestMethod]
    public void BinaryRecurrentTrainerAndEvaluate()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TokenRows(32, seed: 1));
        var output = EstimatorContract.Check(ml.BinaryClassification.Trainers.Recurrent(TinyClassifier()), data, "Tokens", "Label");
        var metrics = ml.BinaryClassification.Evaluate(output);
        Assert.IsTrue(metrics.AreaUnderRocCurve is >= 0 and <= 1);
        AssertScoreColumnSet(output.Schema, ["Score", "Probability", "PredictedLabel"], "BinaryClassification");
    }

    [TestMethod]
    public void MulticlassRecurrentTrainerWithAndWithoutClassNames()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(TokenRows(32, seed: 2));
        var named = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(rows).Transform(rows);
        var output = EstimatorContract.Check(ml.MulticlassClassification.Trainers.Recurrent(TinyClassifier()), named, "Tokens", "Label");
        var metrics = ml.MulticlassClassification.Evaluate(output);
        Assert.AreEqual(3, metrics.PerClassLogLoss.Count);
        AssertScoreColumnSet(output.Schema, ["Score", "PredictedLabel"], "MulticlassClassification");
        var classNames = default(VBuffer<ReadOnlyMemory<char>>);
        output.Schema["Score"].Annotations.GetValue("TrainingLabelValues", ref classNames);
        CollectionAssert.AreEqual(new[] { "c2", "c0", "c1" }.OrderBy(n => n).ToArray(), classNames.DenseValues().Select(n => n.ToString()).OrderBy(n => n).ToArray());

        // Keys whose values are numbers, not text: no class names are promised, and none are delivered.
        var numbered = ml.Transforms.Conversion.MapValueToKey("Label", "ClassId").Fit(rows).Transform(rows);
        var unnamed = EstimatorContract.Check(ml.MulticlassClassification.Trainers.Recurrent(TinyClassifier()), numbered, "Tokens", "Label");
        Assert.IsNull(unnamed.Schema["Score"].Annotations.Schema.GetColumnOrNull("SlotNames"));
        Assert.IsNull(unnamed.Schema["PredictedLabel"].Annotations.Schema.GetColumnOrNull("KeyValues"));
        Assert.AreEqual(3, ml.MulticlassClassification.Evaluate(unnamed).PerClassLogLoss.Count);
    }

    [TestMethod]
    public void RegressionRecurrentTrainerOnNumericSequences()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NumericRows(32, seed: 3));
        var output = EstimatorContract.Check(ml.Regression.Trainers.Recurrent(TinyClassifier(featureSize: 2)), data, "Features", "Label");
        Assert.IsTrue(double.IsFinite(ml.Regression.Evaluate(output).MeanAbsoluteError));
        AssertScoreColumnSet(output.Schema, ["Score"], "Regression");
    }

    [TestMethod]
    public void LanguageModelTrainerWithLogProbabilityAndGeneration()
    {
        var ml = new MLContext(seed: 1);
        var lines = ml.Data.LoadFromEnumerable(TinyCorpus.Generate(24, seed: 1));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(lines);
        var options = TinyCorpus.SmallOptions(tokenizer);
        (options.HiddenSize, options.EmbeddingSize, options.Epochs) = (4, 4, 1);
        options.Generation = new GenerationOptions { MaximumTokens = 3, Seed = 1 };
        EstimatorContract.Check(ml.LanguageModeling().Trainers.Recurrent(options), tokenizer.Transform(lines), "Tokens", "Prompt");
    }

    [TestMethod]
    public void ForecastingTrainerOnTheSeriesItself()
    {
        var ml = new MLContext(seed: 1);
        var series = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(t => new SeriesStep
        {
            Value = (float)(10 + 0.1 * t + Math.Sin(2 * Math.PI * t / 6)),
            Phase = t % 6,
        }));
        var options = new RecurrentForecastingTrainerOptions
        {
            Lookback = 6, Horizon = 2, HiddenSize = 4, Epochs = 1, BatchSize = 8, KnownFutureColumnNames = ["Phase"], Seed = 1,
            EarlyStoppingPatience = 0,
        };
        var output = EstimatorContract.Check(ml.Forecasting.Recurrent(options), series, "Value", "Phase");
        var forecasts = output.GetColumn<float[]>("Forecast").ToArray();
        // Row t forecasts steps t + 1 .. t + 2 from rows t - 5 .. t; it needs the phase of those steps, which the last two rows lack.
        Assert.IsTrue(forecasts[..5].All(f => f.All(float.IsNaN)), "rows before a full lookback have no forecast");
        Assert.IsTrue(forecasts[5..38].All(f => f.All(float.IsFinite)), "every row with a full window and known covariates is forecast");
        Assert.IsTrue(forecasts[38..].All(f => f.All(float.IsNaN)), "rows whose forecast steps lie past the data have no covariates, so no forecast");

        // Appended to another estimator, it gives the pipeline the schema the pipeline's Transform delivers.
        EstimatorContract.Check(ml.Transforms.CopyColumns("Level", "Value").Append(ml.Forecasting.Recurrent(options)), series, "Value", "Phase");
    }

    [TestMethod]
    public void SequenceTaggingTrainerAnnouncesItsTagSet()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TaggingTestData.Generate(24, seed: 1));
        var options = TaggingTestData.SmallOptions(epochs: 1);
        (options.HiddenSize, options.WordEmbeddingSize, options.CharacterFilters) = (4, 4, 4);
        var output = EstimatorContract.Check(ml.SequenceTagging().Trainers.BiLstm(options), data, "Tokens", "Tags");
        var tags = default(VBuffer<ReadOnlyMemory<char>>);
        output.Schema["PredictedTags"].Annotations.GetValue(SequenceTaggingTransformer.TagSetAnnotation, ref tags);
        Assert.AreEqual("O", tags.GetItemOrDefault(0).ToString());
    }

    [TestMethod]
    public void SequenceToSequenceTrainerWithTargetVocabulary()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Seq2SeqTrainerTests.Reversal(24, seed: 1));
        var options = Seq2SeqTrainerTests.Small(epochs: 1);
        (options.HiddenSize, options.EmbeddingSize) = (4, 4);
        EstimatorContract.Check(ml.SequenceToSequence().Trainers.Recurrent(options), data, "Source", "Target");
    }

    [TestMethod]
    [DataRow(SequencePredictionKind.BinaryClassification, 1)]
    [DataRow(SequencePredictionKind.MulticlassClassification, 3)]
    [DataRow(SequencePredictionKind.Regression, 1)]
    public void ScoreColumnsOfAnOnnxModelsOutput(SequencePredictionKind kind, int outputSize)
    {
        // The multiclass case failed before: GetOutputSchema (and so Fit) threw "Item type cannot be a key".
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 12).Select(_ =>
        {
            var values = Enumerable.Range(0, 3).Select(_ => (float)random.NextDouble()).ToArray();
            return new NetworkOutput { Output = kind == SequencePredictionKind.MulticlassClassification ? values.Select(v => v / values.Sum()).ToArray() : values };
        }).ToList());
        string[]? names = kind == SequencePredictionKind.MulticlassClassification ? ["x", "y", "z"] : null;
        var output = EstimatorContract.Check(RecurrentOnnxDeployment.ScoreColumns(ml, "Output", kind, outputSize, names), data, "Output");
        if (kind == SequencePredictionKind.MulticlassClassification)
        {
            var predicted = output.GetColumn<uint>("PredictedLabel").ToArray();
            var expected = data.GetColumn<float[]>("Output").Select(v => (uint)Array.IndexOf(v, v.Max()) + 1).ToArray();
            CollectionAssert.AreEqual(expected, predicted);
        }
    }

    [TestMethod]
    public void EveryPublicEstimatorHasAContractTest()
    {
        var estimators = new[] { typeof(RecurrentSequenceTrainer).Assembly, typeof(Microsoft.ML.Recurrent.Text.TokenizeToSequenceEstimator).Assembly }.SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsAbstract && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEstimator<>)))
            .ToList();
        var uncovered = estimators.Except(Covered.Keys).Select(t => t.FullName).ToList();
        Assert.AreEqual(0, uncovered.Count, "public estimators without a contract test here: " + string.Join(", ", uncovered));
        Assert.AreEqual(estimators.Count, Covered.Count, "every estimator listed is a public estimator of the library");
    }

    /// <summary>The columns carry the annotations ML.NET's scorers give theirs: one score column set, of the task's kind.</summary>
    private static void AssertScoreColumnSet(DataViewSchema schema, string[] columns, string kind)
    {
        foreach (string name in columns)
        {
            var annotations = schema[name].Annotations;
            uint setId = 0;
            annotations.GetValue("ScoreColumnSetId", ref setId);
            Assert.AreEqual(1u, setId, $"column '{name}' is in the first set of score columns");
            var columnKind = default(ReadOnlyMemory<char>);
            annotations.GetValue("ScoreColumnKind", ref columnKind);
            Assert.AreEqual(kind, columnKind.ToString(), $"column '{name}'");
        }
    }
}
