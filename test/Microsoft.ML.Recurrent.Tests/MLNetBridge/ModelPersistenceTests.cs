using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.MLNetBridge;

/// <summary>
/// The bridge's promises: a pipeline mixing ML.NET's transforms with a TorchSharp-backed component saves with its
/// weights inside the .zip and loads in a fresh process with no registration call; damaged or too-new files fail clearly.
/// These tests also pin the ML.NET internals the bridge relies on (header layout, loader lookup by assembly name).
/// </summary>
[TestClass]
public sealed class ModelPersistenceTests
{
    private sealed class Review
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private static readonly Review[] Reviews =
    [
        new() { Text = "Good film, not boring at all", Label = true },
        new() { Text = "boring but good", Label = true },
        new() { Text = "good but boring", Label = false },
        new() { Text = "NOT GOOD.", Label = false },
        new() { Text = "", Label = false },
        new() { Text = "words never seen in training: zebra quokka", Label = true },
    ];

    private static (MLContext Ml, ITransformer Model, IDataView Data) TrainPipeline()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(Reviews.Take(4).Concat(Reviews.Take(4)).Concat(Reviews.Take(4)));
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
        var pipeline = ml.Transforms.Text.NormalizeText("Normalized", "Text")
            .Append(ml.Transforms.Text.TokenizeToSequence("Tokens", "Normalized"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(options))
            .Append(ml.Transforms.CopyColumns("ScoreCopy", "Score"));
        return (ml, pipeline.Fit(data), ml.Data.LoadFromEnumerable(Reviews));
    }

    [TestMethod]
    public void APipelineWithTorchWeightsGivesBitIdenticalOutputsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var (ml, model, data) = TrainPipeline();
        ml.Model.Save(model, data.Schema, folder.File("model.zip"));
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(data, stream);

        string[] columns = ["Tokens", "Score", "Probability", "PredictedLabel", "ScoreCopy"];
        var expected = RowFormatter.FormatTransform(model, data, columns);
        Assert.AreEqual(Reviews.Length, expected.Count);
        CollectionAssert.AreEqual(expected, RowFormatter.FormatRowMapper(model, data, columns), "PredictionEngine's path differs from Transform in-process");
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("model.zip"), folder.File("input.idv"), "transform", columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("model.zip"), folder.File("input.idv"), "rowmapper", columns));
    }

    [TestMethod]
    public void AModelFromANewerFormatVersionFailsWithAClearMessage()
    {
        using var folder = new TempFolder();
        var (ml, model, data) = TrainPipeline();
        string path = folder.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        Assert.IsTrue(RewriteComponentVersion(path, "RNNSEQMD", formatVersion: 99), "the sequence model's header was not found where the bridge expects it");

        // ML.NET invokes loaders through reflection and wraps what they throw; the library's exception is the innermost one.
        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _)).GetBaseException();
        Assert.IsInstanceOfType<InvalidOperationException>(error);
        StringAssert.Contains(error.Message, "RecurrentSequenceModel");
        StringAssert.Contains(error.Message, "format version 99");
        StringAssert.Contains(error.Message, "newer Microsoft.ML.Recurrent");
    }

    [TestMethod]
    public void ATruncatedZipFailsWithAClearException()
    {
        using var folder = new TempFolder();
        var (ml, model, data) = TrainPipeline();
        string path = folder.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _)).GetBaseException();
        Assert.IsTrue(error is InvalidDataException or FormatException or InvalidOperationException,
            $"unexpected {error.GetType().Name}: {error.Message}");
    }

    [TestMethod]
    public void AlteredWeightsAreDetectedBeforeReachingNativeCode()
    {
        using var folder = new TempFolder();
        var (ml, model, data) = TrainPipeline();
        string path = folder.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("Weights0", StringComparison.Ordinal));
            byte[] content;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                content = copy.ToArray();
            }
            content[^10] ^= 0x5A;
            entry.Delete();
            using var write = zip.CreateEntry(entry.FullName).Open();
            write.Write(content);
        }

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _)).GetBaseException();
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, "Weights0");
        StringAssert.Contains(error.Message, "does not match the digest");
    }

    /// <summary>
    /// Sets the format version in the ML.NET model header of the component whose 8-character signature is given.
    /// Header layout (ML.NET 5.0.1 ModelHeader): ModelSignature at 0x40, ModelVerWritten at 0x48, ModelVerReadable at 0x4C.
    /// </summary>
    private static bool RewriteComponentVersion(string zipPath, string signature, uint formatVersion)
    {
        ulong packed = BinaryPrimitives.ReadUInt64LittleEndian(System.Text.Encoding.ASCII.GetBytes(signature));
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        foreach (var entry in zip.Entries.Where(e => e.Name == "Model.key").ToList())
        {
            byte[] content;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                content = copy.ToArray();
            }
            if (content.Length < 0x50 || BinaryPrimitives.ReadUInt64LittleEndian(content.AsSpan(0x40)) != packed)
                continue;
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(0x48), 0x00010000 + formatVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(0x4C), 0x00010000 + formatVersion);
            string name = entry.FullName;
            entry.Delete();
            using var write = zip.CreateEntry(name).Open();
            write.Write(content);
            return true;
        }
        return false;
    }
}
