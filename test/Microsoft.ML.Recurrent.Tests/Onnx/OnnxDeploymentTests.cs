using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// A fitted text pipeline (TokenizeToSequence + a recurrent ensemble) against its ONNX deployment pipeline, in this
/// process and in a fresh one that must not load TorchSharp; and an exported model imported by hand into a pipeline
/// with our tokenization and padding.
/// </summary>
[TestClass]
public sealed class OnnxDeploymentTests
{
    private const double Tolerance = 1e-5;

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    /// <summary>OrderTask as text; for scoring, also an empty text and a word the vocabulary never saw.</summary>
    internal static List<TextRow> TextRows(int count, int seed, bool forScoring = false)
    {
        var rows = OrderTask.Generate(count, seed)
            .Select(r => new TextRow { Text = string.Join(' ', r.Tokens.Select(t => $"w{t}")), Label = r.Label }).ToList();
        if (forScoring)
        {
            rows.Add(new TextRow { Text = "", Label = true });
            rows.Add(new TextRow { Text = "w5 neverseen w6", Label = true });
        }
        return rows;
    }

    internal static ITransformer Train(MLContext ml, IDataView data)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.EnsembleSize = 2;
        return ml.Transforms.Text.TokenizeToSequence("Tokens", "Text")
            .Append(ml.BinaryClassification.Trainers.Recurrent(options))
            .Fit(data);
    }

    [TestMethod]
    public void DeploymentPipelineMatchesTorchSharpHereAndInAProcessWithoutTorchSharp()
    {
        var ml = new MLContext(seed: 1);
        var model = Train(ml, ml.Data.LoadFromEnumerable(TextRows(120, seed: 1)));
        var data = ml.Data.LoadFromEnumerable(TextRows(40, seed: 3, forScoring: true));
        string folder = Directory.CreateTempSubdirectory("onnx-deploy").FullName;
        string onnxPath = Path.Combine(folder, "model.onnx"), zipPath = Path.Combine(folder, "model.onnx.zip");
        RecurrentOnnxDeployment.Save(ml, model, data.Schema, onnxPath, zipPath, sequenceLength: 32);

        var expected = Columns(model.Transform(data));
        var loaded = new MLContext(seed: 1).Model.Load(zipPath, out _);
        var actual = Columns(loaded.Transform(data));
        AssertSameScores(expected, actual);
        Assert.IsFalse(loaded.GetOutputSchema(data.Schema).Any(c => c.Name.StartsWith("__recurrent_onnx", StringComparison.Ordinal)),
            "intermediate columns are dropped");

        string inputPath = Path.Combine(folder, "input.idv");
        using (var stream = File.Create(inputPath))
            ml.Data.SaveAsBinary(data, stream);
        var lines = FreshProcess.Run("Microsoft.ML.Recurrent.OnnxHost.dll", "score", zipPath, inputPath, "Score,Probability,PredictedLabel");
        // No native TorchSharp or LibTorch library is mapped: no tensor was created and TorchRuntime never ran.
        Assert.IsTrue(lines.Contains("libtorch-mapped=False"), string.Join('\n', lines.TakeLast(4)));
        // Not even TorchSharp's managed assembly is loaded: the host references only Microsoft.ML.Recurrent.Onnx (the
        // ONNX-only package), and every component of a deployment .zip lives there. The stack says what loaded it if anything did.
        string loadedBy = lines.Single(l => l.StartsWith("torchsharp-loaded-by=", StringComparison.Ordinal));
        Assert.IsTrue(lines.Contains("torchsharp-assembly=False"), loadedBy);
        Assert.IsTrue(lines.Contains("onnxruntime-mapped=True"), "the fresh process scored with ONNX Runtime");
        Assert.IsTrue(lines.Contains("recurrent-assemblies=Microsoft.ML.Recurrent.Onnx"), "only the ONNX-only assembly of the library loads: "
            + lines.Single(l => l.StartsWith("recurrent-assemblies=", StringComparison.Ordinal)));
        var fresh = lines.Where(l => l.Contains('\t')).Select(l => l.Split('\t')).ToList();
        Assert.AreEqual(expected.Score.Length, fresh.Count);
        for (int i = 0; i < fresh.Count; i++)
        {
            Assert.AreEqual(expected.Score[i], float.Parse(fresh[i][0], CultureInfo.InvariantCulture), Tolerance, $"row {i} Score");
            Assert.AreEqual(expected.Probability[i], float.Parse(fresh[i][1], CultureInfo.InvariantCulture), Tolerance, $"row {i} Probability");
        }
    }

    [TestMethod]
    public void AnExportedModelCanBeImportedIntoAPipelineByHand()
    {
        var ml = new MLContext(seed: 1);
        var model = Train(ml, ml.Data.LoadFromEnumerable(TextRows(80, seed: 2)));
        var data = ml.Data.LoadFromEnumerable(TextRows(30, seed: 4, forScoring: true));
        var recurrent = RecurrentOnnxExporter.FindRecurrentModel(model);
        string onnxPath = Path.Combine(Directory.CreateTempSubdirectory("onnx-import").FullName, "external.onnx");
        RecurrentOnnxExporter.Export(recurrent, onnxPath, new RecurrentOnnxExportOptions { SequenceLength = 24 });

        // As a user with an ONNX file would: our tokenization (the fitted vocabulary) and padding, ApplyOnnxModel
        // on the default input and output names, then the score columns.
        var tokenizer = ((IEnumerable<ITransformer>)model).First();
        var tokenized = tokenizer.Transform(data);
        var scoring = ml.Transforms.PadSequence("tokens", 24, inputColumnName: "Tokens")
            .Append(ml.Transforms.ApplyOnnxModel("output", "tokens", onnxPath))
            .Append(RecurrentOnnxDeployment.ScoreColumns(ml, "output", SequencePredictionKind.BinaryClassification))
            .Fit(tokenized);
        var imported = Columns(scoring.Transform(tokenized));
        AssertSameScores(Columns(model.Transform(data)), imported);
        var metrics = ml.BinaryClassification.Evaluate(scoring.Transform(tokenized));
        Assert.IsTrue(metrics.AreaUnderRocCurve > 0, "ML.NET's evaluator accepts the imported score columns");
        (scoring as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AModelWithWideFeaturesFromFeaturizeTextDeploysWithTheSameScores()
    {
        var ml = new MLContext(seed: 1);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
        options.WideFeatureColumnName = "BagOfWords";
        // FeaturizeText gives a sparse vector: the deployment must hand the graph the same values densely.
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text")
            .Append(ml.Transforms.Text.FeaturizeText("BagOfWords", "Text"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(options))
            .Fit(ml.Data.LoadFromEnumerable(TextRows(100, seed: 5)));
        var recurrent = RecurrentOnnxExporter.FindRecurrentModel(model);
        Assert.IsTrue(recurrent.ModelSettings.WideFeatureSize > 10, $"{recurrent.ModelSettings.WideFeatureSize} wide features");
        var data = ml.Data.LoadFromEnumerable(TextRows(30, seed: 6, forScoring: true));
        string folder = Directory.CreateTempSubdirectory("onnx-wide").FullName;
        string onnxPath = Path.Combine(folder, "model.onnx"), zipPath = Path.Combine(folder, "model.onnx.zip");
        RecurrentOnnxDeployment.Save(ml, model, data.Schema, onnxPath, zipPath, sequenceLength: 32);
        var expected = Columns(model.Transform(data));
        var loaded = new MLContext(seed: 1).Model.Load(zipPath, out _);
        AssertSameScores(expected, Columns(loaded.Transform(data)));
        Assert.IsTrue(loaded.GetOutputSchema(data.Schema).GetColumnOrNull("BagOfWords") is not null, "the user's own columns stay");

        // The wide part contributes: scores without it would differ.
        var zeroed = recurrent.Networks.Cast<Microsoft.ML.Recurrent.Modules.SequenceClassifierNetwork>().Sum(n => n.Wide!.weight!.abs().sum().item<float>());
        Assert.IsTrue(zeroed > 0, "the wide map was trained");
    }

    [TestMethod]
    public void TokensPaddedByThePipelineKeepTheirLengthInTheDeployment()
    {
        // PadSequence makes every row 40 ids (real tokens first, then padding); a deployment cut to 16 steps kept the
        // last 16 of them, mostly padding.
        var ml = new MLContext(seed: 1);
        var rows = TextRows(60, seed: 7);
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text")
            .Append(ml.Transforms.PadSequence("Tokens", 40, truncation: Microsoft.ML.Recurrent.Sequences.SequenceEnd.Middle))
            .Append(ml.BinaryClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var data = ml.Data.LoadFromEnumerable(TextRows(20, seed: 8, forScoring: true));
        string folder = Directory.CreateTempSubdirectory("onnx-padded").FullName;
        string onnxPath = Path.Combine(folder, "model.onnx"), zipPath = Path.Combine(folder, "model.onnx.zip");
        RecurrentOnnxDeployment.Save(ml, model, data.Schema, onnxPath, zipPath, sequenceLength: 16);
        AssertSameScores(Columns(model.Transform(data)), Columns(new MLContext(seed: 1).Model.Load(zipPath, out _).Transform(data)));
    }

    internal sealed record Scores(float[] Score, float[] Probability, bool[] PredictedLabel);

    internal static Scores Columns(IDataView scored) => new(
        scored.GetColumn<float>("Score").ToArray(),
        scored.GetColumn<float>("Probability").ToArray(),
        scored.GetColumn<bool>("PredictedLabel").ToArray());

    private static void AssertSameScores(Scores expected, Scores actual)
    {
        Assert.AreEqual(expected.Score.Length, actual.Score.Length);
        for (int i = 0; i < expected.Score.Length; i++)
        {
            Assert.AreEqual(expected.Probability[i], actual.Probability[i], Tolerance, $"row {i} Probability");
            // The score is the logit of the probability: near 0 or 1 float rounding of the probability moves it a lot.
            // A probability error e moves the logit by about e / (p (1 - p)): allow the probability's tolerance so moved.
            double p = expected.Probability[i];
            if (p is > 1e-4 and < 1 - 1e-4)
                Assert.AreEqual(expected.Score[i], actual.Score[i], Math.Max(Tolerance * 10, Tolerance / (p * (1 - p))),
                    $"row {i} Score (logit), probability {p}");
            if (Math.Abs(expected.Probability[i] - 0.5f) > Tolerance)
                Assert.AreEqual(expected.PredictedLabel[i], actual.PredictedLabel[i], $"row {i} PredictedLabel");
        }
    }
}
