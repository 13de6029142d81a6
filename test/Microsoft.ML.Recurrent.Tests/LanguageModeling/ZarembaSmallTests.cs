using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

/// <summary>
/// <see cref="LanguageModelTrainerOptions.ZarembaSmall"/> must take the step of the paper's code: the cross-entropy
/// averaged over the batch and summed over the window's time steps, its gradient norm clipped at 5, SGD at rate 1.
/// </summary>
[TestClass]
public sealed class ZarembaSmallTests
{
    private sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
    }

    [TestMethod]
    [DataRow(0.1, false, DisplayName = "the paper's initialization: the gradient stays below the clip norm")]
    [DataRow(1.0, true, DisplayName = "large weights: the summed gradient is clipped")]
    public void OneStepOfThePresetIsThePapersSgdStep(double initRange, bool clipped)
    {
        const int Vocabulary = 12, Width = 6, Seed = 7;
        var options = LanguageModelTrainerOptions.ZarembaSmall();
        // Only the sizes shrink; the optimizer, rate, clipping, window of 20 and batch of 20 are the preset's.
        options.VocabularySize = Vocabulary;
        options.HiddenSize = Width;
        options.EmbeddingSize = Width;
        options.InitRange = initRange;
        options.Epochs = 1;
        options.BatchesPerEpoch = 1;
        options.ValidationFraction = 0;
        options.Seed = Seed;
        int steps = options.SequenceLength, streams = options.BatchSize, length = steps + 2;
        var random = new Random(3);
        int[] stream = Enumerable.Range(0, streams * length).Select(_ => random.Next(1, Vocabulary)).ToArray();

        var ml = new MLContext(seed: 1);
        var trained = ml.LanguageModeling().Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(new[] { new Row { Tokens = stream } }));

        // Independently, from the same initial weights: stream row r is the r-th contiguous segment, the first window
        // reads columns 0..19 and predicts 1..20.
        var shape = new LanguageModelShape(RecurrentCellType.Lstm, Vocabulary, Width, Width, options.Layers, TieWeights: false);
        using var reference = TorchSeeding.Create(Seed, () => new LanguageModelNetwork(shape, 0, initRange));
        reference.train();
        using var scope = NewDisposeScope();
        var data = tensor(stream.Select(id => (long)id).ToArray(), [streams, length]);
        var (logits, _) = reference.Forward(data.narrow(1, 0, steps), null);
        var target = data.narrow(1, 1, steps);
        var loss = zeros(1);
        for (int t = 0; t < steps; t++)
            loss = loss + nn.functional.cross_entropy(logits.select(1, t), target.select(1, t));
        loss.sum().backward();

        var parameters = reference.parameters().ToArray();
        var gradients = parameters.Select(p => p.grad!.data<float>().ToArray()).ToArray();
        double norm = Math.Sqrt(gradients.Sum(g => g.Sum(v => (double)v * v)));
        Assert.AreEqual(clipped, norm > options.GradientClipNorm, $"gradient norm {norm:G4} of the summed loss");
        double scale = Math.Min(1, options.GradientClipNorm / norm);

        var actual = trained.Network.parameters().ToArray();
        Assert.AreEqual(parameters.Length, actual.Length);
        double largestStep = 0, largestError = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            var before = parameters[i].data<float>().ToArray();
            var after = actual[i].data<float>().ToArray();
            for (int j = 0; j < before.Length; j++)
            {
                double expected = before[j] - options.LearningRate * scale * gradients[i][j];
                largestStep = Math.Max(largestStep, Math.Abs(expected - before[j]));
                largestError = Math.Max(largestError, Math.Abs(after[j] - expected));
            }
        }
        Assert.IsTrue(largestStep > 1e-3, $"the step should move the weights: largest change {largestStep:G3}");
        Assert.IsTrue(largestError < 1e-4 * largestStep + 1e-6, $"largest difference from the paper's step {largestError:G3} (largest step {largestStep:G3})");
    }
}
