using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>Initializing a classifier's encoder from a language model trained on the same text (ULMFiT's transfer).</summary>
[TestClass]
public sealed class LanguageModelTransferTests
{
    private sealed class Labelled
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private static (MLContext Ml, IDataView Tokens) LabelledTokens()
    {
        var (ml, tokenizer, _, _) = TinyCorpus.Model;
        // Label: does the sentence mention the cat? Tokenized with the language model's own tokenizer.
        var rows = TinyCorpus.Generate(80, seed: 5).Select(l => new Labelled { Text = l.Text, Label = l.Text.Contains("cat", StringComparison.Ordinal) }).ToList();
        return (ml, tokenizer.Transform(ml.Data.LoadFromEnumerable(rows)));
    }

    private static RecurrentSequenceTrainerOptions Options(bool bidirectional, double learningRate) => new()
    {
        FeatureColumnName = "Tokens",
        PretrainedLanguageModel = TinyCorpus.Model.Model,
        Bidirectional = bidirectional,
        EmbeddingDropout = 0,
        Epochs = 1,
        BatchSize = 16,
        LearningRate = learningRate,
        // Deliberately different from the language model's: the language model's shape wins.
        HiddenSize = 5,
        EmbeddingSize = 7,
    };

    [TestMethod]
    public void TheEncoderStartsFromTheLanguageModelsWeights()
    {
        var (ml, tokens) = LabelledTokens();
        // A step of about 1e-12 per weight (Adam's first step is the learning rate): the trained encoder is the initial one.
        var model = ml.BinaryClassification.Trainers.Recurrent(Options(bidirectional: false, learningRate: 1e-12)).Fit(tokens);
        var classifier = (SequenceClassifierNetwork)model.Networks[0];
        var lm = TinyCorpus.Model.Model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        var settings = TinyCorpus.Model.Model.ModelSettings;
        Assert.AreEqual(settings.HiddenSize, classifier.Encoder.Settings.HiddenSize);
        Assert.AreEqual(settings.CellType, classifier.Encoder.Settings.CellType);
        AssertClose(lm["embedding.weight"], classifier.Encoder.EmbeddingLayer!.weight!.data<float>().ToArray(), "embedding");
        foreach (var (name, parameter) in classifier.Encoder.ForwardLayer(0).Inner.named_parameters())
            AssertClose(lm["rnn." + name], parameter.data<float>().ToArray(), name);
    }

    [TestMethod]
    public void ABidirectionalEncoderTakesTheForwardDirectionAndTrains()
    {
        var (ml, tokens) = LabelledTokens();
        var model = ml.BinaryClassification.Trainers.Recurrent(Options(bidirectional: true, learningRate: 1e-12)).Fit(tokens);
        var classifier = (SequenceClassifierNetwork)model.Networks[0];
        var lm = TinyCorpus.Model.Model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        var backward = classifier.Encoder.BackwardLayer(0).Inner.named_parameters().First(p => p.name == "weight_ih_l0").parameter.data<float>().ToArray();
        Assert.IsFalse(backward.Zip(lm["rnn.weight_ih_l0"]).All(p => Math.Abs(p.First - p.Second) < 1e-6), "the backward direction starts fresh");

        var trained = ml.BinaryClassification.Trainers.Recurrent(Options(bidirectional: true, learningRate: 0.02)).Fit(tokens);
        Assert.AreEqual(80, trained.Transform(tokens).GetColumn<float>("Score").Count());
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-6, $"{what}[{i}]");
    }
}
