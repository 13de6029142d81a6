using System.Text.Json;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;
using global::Samples.LanguageModel;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The verbs size their networks for the data: language-model starts a word corpus of 100,000 tokens or more from the
/// ZarembaSmall preset and everything smaller (or characters) from the small network, and prints what it chose.
/// </summary>
[TestClass]
public sealed class SizingTests
{
    [TestMethod]
    public void TokensAreWordsOrCharactersPlusOneEndOfLinePerLine()
    {
        string[] lines = ["the cat  sat", "", "a\tdog"];
        Assert.AreEqual(3 + 1 + 0 + 1 + 2 + 1, LanguageModelModel.Network.CountTokens(lines, characters: false));
        Assert.AreEqual(12 + 1 + 0 + 1 + 5 + 1, LanguageModelModel.Network.CountTokens(lines, characters: true));
    }

    [TestMethod]
    public void AWordCorpusOfAHundredThousandTokensStartsFromTheZarembaSmallPreset()
    {
        var (small, smallEpochs, smallReason) = LanguageModelModel.Network.ForCorpus(characters: false, tokens: 99_999);
        Assert.AreEqual(LanguageModelModel.Network.ForGrammar(characters: false), small);
        Assert.AreEqual(20, smallEpochs);
        StringAssert.Contains(smallReason, "fewer than 100,000 tokens");

        var (large, largeEpochs, largeReason) = LanguageModelModel.Network.ForCorpus(characters: false, tokens: 100_000);
        var preset = LanguageModelTrainerOptions.ZarembaSmall();
        Assert.AreEqual("ZarembaSmall", large.Preset);
        Assert.AreEqual((preset.Layers, preset.HiddenSize, preset.EmbeddingSize, preset.Dropout, preset.SequenceLength, preset.BatchSize, preset.Optimizer, preset.LearningRate),
            (large.Layers, large.HiddenSize, large.EmbeddingSize, large.Dropout, large.SequenceLength, large.BatchSize, large.Optimizer, large.LearningRate));
        Assert.AreEqual(preset.Epochs, largeEpochs);
        StringAssert.Contains(largeReason, "ZarembaSmall");

        // The preset's schedule, clipping and initialisation come along; the sizes can be overridden.
        var options = (large with { HiddenSize = 8 }).ToOptions();
        Assert.AreEqual((LearningRateScheduleKind.StepDecay, preset.DecayFactor, preset.StartDecayAfterEpoch, preset.GradientClipNorm, preset.InitRange, 8),
            (options.LearningRateSchedule, options.DecayFactor, options.StartDecayAfterEpoch, options.GradientClipNorm, options.InitRange, options.HiddenSize));

        Assert.AreEqual(LanguageModelModel.Network.ForGrammar(characters: true), LanguageModelModel.Network.ForCorpus(characters: true, tokens: 5_000_000).Network);
    }

    [TestMethod]
    public void LanguageModelPrintsTheSettingsItChoseForALargeCorpus()
    {
        using var folder = new TempFolder();
        // 11,000 lines of 10 words: 9,900 training lines after the 10% validation split, 108,900 tokens with the line ends.
        var random = new Random(5);
        string[] words = ["the", "a", "cat", "dog", "sees", "likes", "big", "small", "river", "tree", "near", "under"];
        File.WriteAllLines(folder.File("corpus.txt"), Enumerable.Range(0, 11_000).Select(_ => string.Join(' ', Enumerable.Range(0, 10).Select(_ => words[random.Next(words.Length)]))));

        // The preset's sizes overridden to keep the test quick: the choice, not the training, is what is tested.
        var result = SamplesProcess.Run(folder.Path, null, "language-model", "--data", folder.File("corpus.txt"), "--layers", "1", "--hidden", "8",
            "--embedding", "8", "--epochs", "1", "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        CollectionAssert.Contains(result.Lines, "Settings for 108,900 training tokens (at least 100,000 tokens: the ZarembaSmall preset): preset ZarembaSmall, " +
            "layers 1 (given), hidden 8 (given), embedding 8 (given), dropout 0, window 20, batch 20, optimizer Sgd at 1, epochs 1 (given), time limit none.");
        using var json = JsonDocument.Parse(result.Lines[^1]);
        Assert.AreEqual("language-model", json.RootElement.GetProperty("task").GetString());
        Assert.IsFalse(json.RootElement.TryGetProperty("entropyFloor", out _), "no floor for a user's corpus");
    }
}
