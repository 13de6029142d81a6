using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Tests.Tagging;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// A fitted tagger against its ONNX deployment pipeline (token encoding, ApplyOnnxModel, tag names) saved to a .zip
/// and loaded in a fresh MLContext and in a fresh process without LibTorch: the same PredictedTags column, annotation included.
/// </summary>
[TestClass]
public sealed class TaggingOnnxDeploymentTests
{
    private sealed class Prediction
    {
        [VectorType] public string[] PredictedTags { get; set; } = [];
    }

    [TestMethod]
    public void DeploymentPipelineTagsLikeTorchSharp()
    {
        var ml = new MLContext(seed: 1);
        var model = TaggingOnnxParityTests.Train(RecurrentCellType.Lstm, 1, crf: true, characters: true, casing: 4, seed: 6, epochs: 6);
        var rows = TaggingOnnxParityTests.TestSentences().Select(s => new TaggingTestData.Row { Tokens = s, Tags = s.Select(_ => "O").ToArray() })
            .Concat(TaggingTestData.Generate(20, seed: 12)).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        string folder = Directory.CreateTempSubdirectory("onnx-tagging").FullName;
        string onnxPath = Path.Combine(folder, "tagger.onnx"), zipPath = Path.Combine(folder, "tagger.onnx.zip");
        SequenceTaggingOnnxDeployment.Save(ml, model, data.Schema, onnxPath, zipPath, sequenceLength: 16);

        var expected = model.Transform(data).GetColumn<string[]>("PredictedTags").ToArray();
        var loaded = new MLContext(seed: 1).Model.Load(zipPath, out _);
        var scored = loaded.Transform(data);
        var actual = scored.GetColumn<string[]>("PredictedTags").ToArray();
        Assert.IsTrue(expected.SelectMany(t => t).Distinct().Count() > 2, "the comparison covers several different tags");
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i} [{string.Join(' ', rows[i].Tokens)}]");

        Assert.IsFalse(scored.Schema.Any(c => c.Name.StartsWith("__tagging_onnx", StringComparison.Ordinal)), "intermediate columns are dropped");
        var tagSet = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedTags"].Annotations.GetValue(SequenceTaggingTransformer.TagSetAnnotation, ref tagSet);
        CollectionAssert.AreEqual(model.Tags.ToArray(), tagSet.DenseValues().Select(t => t.ToString()).ToArray());

        // The row-mapper path (PredictionEngine) gives the same tags, and evaluation reads the deployed column.
        var engine = ml.Model.CreatePredictionEngine<TaggingTestData.Row, Prediction>(loaded);
        for (int i = 0; i < rows.Count; i++)
            CollectionAssert.AreEqual(expected[i], engine.Predict(rows[i]).PredictedTags, $"engine, row {i}");
        var generated = ml.Data.LoadFromEnumerable(TaggingTestData.Generate(20, seed: 12));
        Assert.AreEqual(ml.SequenceTagging().Evaluate(model.Transform(generated)).F1,
            ml.SequenceTagging().Evaluate(loaded.Transform(generated)).F1, 1e-12);

        // A fresh process loads the .zip and tags through Transform and the row mapper without mapping LibTorch.
        string inputPath = Path.Combine(folder, "input.idv");
        using (var stream = File.Create(inputPath))
            ml.Data.SaveAsBinary(data, stream);
        var lines = FreshProcess.Run("Microsoft.ML.Recurrent.OnnxHost.dll", "score", zipPath, inputPath, "PredictedTags");
        Assert.IsTrue(lines.Contains("libtorch-mapped=False"), string.Join('\n', lines.TakeLast(3)));
        Assert.IsTrue(lines.Contains("onnxruntime-mapped=True"), "the fresh process tagged with ONNX Runtime");
        var fresh = lines.TakeWhile(l => !l.StartsWith("torchsharp-assembly=", StringComparison.Ordinal)).ToList();
        // FreshProcess drops empty lines, i.e. the empty sentence's empty tag vector.
        CollectionAssert.AreEqual(expected.Where(tags => tags.Length > 0).Select(tags => string.Join(',', tags)).ToArray(), fresh.ToArray(), "fresh process");
    }

    [TestMethod]
    public void ASentenceLongerThanTheDeploymentLengthIsRejectedNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var model = TaggingOnnxParityTests.Train(RecurrentCellType.Gru, 1, crf: false, characters: false, casing: 0, seed: 2);
        var rows = new[] { new TaggingTestData.Row { Tokens = ["Mary", "left"] }, new TaggingTestData.Row { Tokens = ["a", "b", "c", "d", "e"] } };
        var data = ml.Data.LoadFromEnumerable(rows);
        string onnxPath = Path.Combine(Directory.CreateTempSubdirectory("onnx-tagging").FullName, "tagger.onnx");
        var deployed = SequenceTaggingOnnxDeployment.Create(ml, model, data.Schema, onnxPath, sequenceLength: 4);
        var thrown = Assert.Throws<Exception>(() => deployed.Transform(data).GetColumn<string[]>("PredictedTags").ToArray());
        // ML.NET's parallel cursors wrap the error of the row; ours is the innermost.
        var error = thrown.GetBaseException();
        Assert.IsInstanceOfType<InvalidOperationException>(error);
        StringAssert.Contains(error.Message, "row 1");
        StringAssert.Contains(error.Message, "5 tokens");
        Assert.ThrowsExactly<ArgumentException>(() => SequenceTaggingOnnxDeployment.Create(ml, new TransformerChain<ITransformer>(), data.Schema, onnxPath));
    }
}
