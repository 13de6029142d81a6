using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>The sentiment verb on folder data (class subfolders of .txt documents) with a pooling choice.</summary>
[TestClass]
public sealed class SentimentFolderTests
{
    private static void WriteSplit(string root, int documents, int seed)
    {
        string[] good = ["wonderful", "moving", "superb", "delightful"], bad = ["dull", "tedious", "awful", "clumsy"];
        var random = new Random(seed);
        foreach (var (label, words) in new[] { ("pos", good), ("neg", bad) })
        {
            Directory.CreateDirectory(Path.Combine(root, label));
            for (int i = 0; i < documents; i++)
            {
                // Long documents (over 200 words, so --wide auto trains both models): the telling word sits somewhere among many neutral ones.
                var text = Enumerable.Range(0, 26).Select(_ => "the film had a plot and some actors").ToList();
                text.Insert(random.Next(text.Count), $"it was {words[random.Next(words.Length)]}");
                File.WriteAllText(Path.Combine(root, label, $"{i:D3}.txt"), string.Join(" ", text));
            }
        }
    }

    [TestMethod]
    public void TrainsOnFoldersWithMaxPoolingAndReportsTheUsualJson()
    {
        using var folder = new TempFolder();
        WriteSplit(Path.Combine(folder.Path, "train"), 40, seed: 1);
        WriteSplit(Path.Combine(folder.Path, "valid"), 10, seed: 2);
        var result = SamplesProcess.Run(folder.Path, null, "sentiment", "--data", Path.Combine(folder.Path, "train"), "--valid", Path.Combine(folder.Path, "valid"),
            "--epochs", "2", "--hidden", "8", "--embedding", "8", "--ensemble", "1", "--pooling", "max", "--model", folder.File("m.zip"), "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        StringAssert.Contains(result.Output, "Read 80 training rows from");
        StringAssert.Contains(result.Output, "Max pooling");
        // 80 training documents: the validation split is 20% (500 rows would be more than that) and patience 4.
        StringAssert.Contains(result.Output, "validation fraction 0.2,");
        StringAssert.Contains(result.Output, "patience 4,");
        StringAssert.Contains(result.Output, "pooling Max,");
        // --wide auto: both models trained, the choice made on the validation split and reported.
        StringAssert.Contains(result.Output, "Wide features chosen on validation: accuracy ");
        using var json = JsonDocument.Parse(result.Lines[^1]);
        Assert.AreEqual("sentiment", json.RootElement.GetProperty("task").GetString());
        foreach (string field in new[] { "accuracy", "auc", "f1", "baselineAccuracy", "trainSeconds" })
            Assert.IsTrue(json.RootElement.TryGetProperty(field, out _), field);
    }

    [TestMethod]
    public void ChoosesOnAValidationFolderPretrainsAndCrossValidates()
    {
        using var folder = new TempFolder();
        WriteSplit(Path.Combine(folder.Path, "train"), 40, seed: 3);
        WriteSplit(Path.Combine(folder.Path, "valid"), 10, seed: 4);
        WriteSplit(Path.Combine(folder.Path, "test"), 10, seed: 5);
        string[] small = ["--epochs", "1", "--hidden", "8", "--embedding", "8", "--json"];
        var result = SamplesProcess.Run(folder.Path, null, ["sentiment", "--data", Path.Combine(folder.Path, "train"), "--validation", Path.Combine(folder.Path, "valid"),
            "--valid", Path.Combine(folder.Path, "test"), "--pretrain", "--max-tokens", "6", "--truncation", "head", "--model", folder.File("m.zip"), .. small]);
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        StringAssert.Contains(result.Output, "Pretrained the language model (8 units");
        StringAssert.Contains(result.Output, "max tokens 6 (given)");
        StringAssert.Contains(result.Output, "truncation keeps the head");
        StringAssert.Contains(result.Output, "Wide features chosen on validation: accuracy ");
        StringAssert.Contains(result.Output, "pretrained LSTM 8");

        // 80 + 20 + 20 documents in 4 folds: both models on every fold, the means and the folds in the JSON.
        var folds = SamplesProcess.Run(folder.Path, null, ["sentiment", "--data", Path.Combine(folder.Path, "train"), "--validation", Path.Combine(folder.Path, "valid"),
            "--valid", Path.Combine(folder.Path, "test"), "--folds", "4", "--wide", "on", "--model", folder.File("f.zip"), .. small]);
        Assert.AreEqual(0, folds.ExitCode, folds.Error + folds.Output);
        StringAssert.Contains(folds.Output, "Fold 4/4.");
        using var json = JsonDocument.Parse(folds.Lines[^1]);
        Assert.AreEqual(4, json.RootElement.GetProperty("folds").GetInt32());
        var perFold = json.RootElement.GetProperty("foldAccuracies").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.AreEqual(4, perFold.Count);
        Assert.AreEqual(Math.Round(perFold.Average(), 4), json.RootElement.GetProperty("accuracy").GetDouble(), 1e-3, "the mean of the folds");
    }

    [TestMethod]
    public void WideAutoChoosesOnValidationForLongDocumentsOnly()
    {
        Assert.AreEqual("choose", global::Samples.Sentiment.SentimentModel.WideModeFor("auto", generated: false, meanWords: 201));
        Assert.AreEqual("off", global::Samples.Sentiment.SentimentModel.WideModeFor("auto", generated: false, meanWords: 200), "short texts");
        Assert.AreEqual("off", global::Samples.Sentiment.SentimentModel.WideModeFor("auto", generated: true, meanWords: 500), "generated data");
        Assert.AreEqual("on", global::Samples.Sentiment.SentimentModel.WideModeFor("on", generated: false, meanWords: 9), "asked for");
        Assert.AreEqual("off", global::Samples.Sentiment.SentimentModel.WideModeFor("off", generated: false, meanWords: 900), "asked for");
    }

    [TestMethod]
    public void AnUnknownPoolingIsRejected()
    {
        using var folder = new TempFolder();
        var result = SamplesProcess.Run(folder.Path, null, "sentiment", "--rows", "50", "--pooling", "median");
        Assert.AreEqual(2, result.ExitCode, "the samples' exit code for bad arguments");
        StringAssert.Contains(result.Output + result.Error, "--pooling must be one of last, max, mean, attention; got 'median'.");
    }
}
