using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// Every training verb of the samples runs end to end as a child process on generated data (tiny settings), keeps
/// its <c>--json</c> last-line contract, and saves a model whose story <c>inspect</c> prints. <c>export-onnx</c> runs on
/// the sentiment model.
/// </summary>
[TestClass]
public sealed class TaskVerbTests
{
    [TestMethod]
    [DataRow("language-model", "language-model", "LanguageModeling", new[] { "--epochs", "1", "--minutes", "0.1" })]
    [DataRow("forecast", "forecast", "Forecasting", new[] { "--epochs", "2", "--hidden", "8", "--ensemble", "1" })]
    [DataRow("ner", "ner", "SequenceTagging", new[] { "--epochs", "1", "--threads", "1" })]
    [DataRow("seq2seq", "seq2seq", "SequenceToSequence", new[] { "--epochs", "1", "--train", "300", "--test", "30", "--hidden", "16" })]
    public void ATrainingVerbRunsAndItsModelCanBeInspected(string verb, string task, string storyTask, string[] tinySettings)
    {
        using var folder = new TempFolder();
        string model = folder.File(verb + ".zip");
        var training = SamplesProcess.Run(folder.Path, null, [verb, .. tinySettings, "--model", model, "--json"]);
        Assert.AreEqual(0, training.ExitCode, training.Error + training.Output);
        using (var last = JsonDocument.Parse(training.Lines[^1]))
            Assert.AreEqual(task, last.RootElement.GetProperty("task").GetString());
        Assert.IsTrue(File.Exists(model), $"{verb} saved no model at {model}");

        var inspect = SamplesProcess.Run(folder.Path, null, "inspect", "--model", model);
        Assert.AreEqual(0, inspect.ExitCode, inspect.Error);
        foreach (string expected in new[] { storyTask, "Settings", "History", "Metrics", "fingerprint" })
            StringAssert.Contains(inspect.Output, expected);
    }

    [TestMethod]
    public void ExportOnnxWritesAModelAndADeploymentPipeline()
    {
        using var folder = new TempFolder();
        string model = folder.File("sentiment.zip");
        var training = SamplesProcess.Run(folder.Path, null, "sentiment", "--rows", "200", "--epochs", "1", "--hidden", "8", "--embedding", "8", "--model", model);
        Assert.AreEqual(0, training.ExitCode, training.Error);
        var export = SamplesProcess.Run(folder.Path, null, "export-onnx", "--model", model, "--out", folder.File("sentiment.onnx"));
        Assert.AreEqual(0, export.ExitCode, export.Error);
        Assert.IsTrue(new FileInfo(folder.File("sentiment.onnx")).Length > 1000);
        var predict = SamplesProcess.Run(folder.Path, null, "predict", "--model", folder.File("sentiment.onnx.zip"), "--text", "the movie was not good at all", "--json");
        Assert.AreEqual(0, predict.ExitCode, predict.Error);
        using var row = JsonDocument.Parse(predict.Lines[^1]);
        Assert.IsTrue(row.RootElement.TryGetProperty("Probability", out _), predict.Output);
    }

    [TestMethod]
    [DataRow("sentiment", new[] { "--rows", "200", "--epochs", "1", "--hidden", "8", "--embedding", "8" }, "m.onnx.zip", new[] { "m.onnx", "m.onnx.zip" })]
    [DataRow("sentiment", new[] { "--rows", "200", "--epochs", "1", "--hidden", "8", "--embedding", "8" }, "s.onnx", new[] { "s.onnx", "s.zip" })]
    [DataRow("forecast", new[] { "--epochs", "2", "--hidden", "8", "--ensemble", "1" }, "f.zip", new[] { "f.onnx", "f.zip" })]
    [DataRow("language-model", new[] { "--epochs", "1", "--minutes", "0.1" }, "lm.onnx", new[] { "lm.onnx" })]
    [DataRow("ner", new[] { "--epochs", "1" }, "ner.onnx.zip", new[] { "ner.onnx", "ner.onnx.zip" })]
    public void TheOnnxOptionWritesTheTasksOnnxFiles(string verb, string[] tinySettings, string onnxArgument, string[] expectedFiles)
    {
        using var folder = new TempFolder();
        var training = SamplesProcess.Run(folder.Path, null, [verb, .. tinySettings, "--onnx", folder.File(onnxArgument)]);
        Assert.AreEqual(0, training.ExitCode, training.Error + training.Output);
        foreach (string file in expectedFiles)
        {
            Assert.IsTrue(File.Exists(folder.File(file)) && new FileInfo(folder.File(file)).Length > 1000, $"{verb}: {file} was not written\n{training.Output}");
            // A zip starts with "PK"; an ONNX protobuf never does (it starts with field 1, ir_version).
            bool isZip = File.ReadAllBytes(folder.File(file)).AsSpan(0, 2).SequenceEqual("PK"u8);
            Assert.AreEqual(file.EndsWith(".zip"), isZip, $"{verb}: {file} holds {(isZip ? "a zip" : "no zip")}");
        }
        StringAssert.Contains(training.Output, "wrote " + folder.File(expectedFiles[0]));
    }
}
