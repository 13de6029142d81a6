using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Tests.Tagging;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// What every exporter's file overload shares (one helper): the model is built before the file is touched, so an
/// export that fails leaves an existing file as it was and creates none.
/// </summary>
[TestClass]
public sealed class OnnxExportFileTests
{
    [TestMethod]
    [DataRow("sequence model")]
    [DataRow("tagger")]
    public void AFailedExportLeavesTheFileAsItWas(string kind)
    {
        var ml = new MLContext(seed: 1);
        Action<string> export;
        if (kind == "sequence model")
        {
            var model = ml.BinaryClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1))
                .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(16, seed: 1)));
            export = path => RecurrentOnnxExporter.Export(model, path, new RecurrentOnnxExportOptions { SequenceLength = 0 });
        }
        else
        {
            var model = ml.SequenceTagging().Trainers.BiLstm(TaggingTestData.SmallOptions(epochs: 1))
                .Fit(ml.Data.LoadFromEnumerable(TaggingTestData.Generate(8, seed: 1)));
            export = path => RecurrentOnnxExporter.Export(model, path, new SequenceTaggingOnnxExportOptions { SequenceLength = 0 });
        }

        using var folder = new TempFolder();
        string existing = folder.File("existing.onnx");
        File.WriteAllText(existing, "the previous export");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => export(existing));
        Assert.AreEqual("the previous export", File.ReadAllText(existing));

        string fresh = folder.File("fresh.onnx");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => export(fresh));
        Assert.IsFalse(File.Exists(fresh), "a failed export created the file");
    }
}
