using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>How well a language model predicts each next token of a stream.</summary>
/// <param name="CrossEntropy">Mean negative natural-log probability of the actual next token (nats per token).</param>
/// <param name="TopOneAccuracy">Fraction of tokens that were the model's most likely prediction.</param>
/// <param name="TopFiveAccuracy">Fraction of tokens among the model's five most likely predictions.</param>
/// <param name="TokenCount">Number of predicted tokens the figures average over.</param>
public sealed record LanguageModelMetrics(double CrossEntropy, double TopOneAccuracy, double TopFiveAccuracy, long TokenCount)
{
    /// <summary>exp(<see cref="CrossEntropy"/>): the effective number of equally likely choices per token.</summary>
    public double Perplexity => Math.Exp(CrossEntropy);

    /// <summary><see cref="CrossEntropy"/> / ln 2: bits per token (bits per character for a character model).</summary>
    public double BitsPerToken => CrossEntropy / Math.Log(2);
}

/// <summary>Scores a token stream window by window, carrying the recurrent state across windows.</summary>
internal static class LanguageModelScorer
{
    /// <summary>Running sums over predicted tokens.</summary>
    internal readonly record struct Totals(double LossSum, long TopOne, long TopFive, long Count)
    {
        public LanguageModelMetrics ToMetrics() => new(LossSum / Count, (double)TopOne / Count, (double)TopFive / Count, Count);
    }

    /// <summary>
    /// Evaluates <paramref name="network"/> on <paramref name="stream"/> laid out as <paramref name="rows"/> parallel
    /// segments (fewer when the stream is short), windows of <paramref name="sequenceLength"/> steps, in eval mode
    /// without gradients. The first token of each segment has no prediction and is not counted. Restores the
    /// network's training mode.
    /// </summary>
    public static Totals Score(LanguageModelNetwork network, int[] stream, int rows, int sequenceLength, CancellationToken cancellation = default)
    {
        rows = Math.Max(1, Math.Min(rows, stream.Length / 2));
        bool wasTraining = network.training;
        network.eval();
        RecurrentState? state = null;
        double lossSum = 0;
        long topOne = 0, topFive = 0, count = 0;
        try
        {
            using var noGrad = no_grad();
            using var data = TokenStream.Batchify(stream, rows, "evaluation").MoveTo(TensorDevices.DeviceOf(network));
            int windows = TokenStream.WindowCount(data.shape[1], sequenceLength);
            for (int w = 0; w < windows; w++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (input, target) = TokenStream.Window(data, w, sequenceLength);
                var (logits, next) = network.Forward(input, state);
                state?.Dispose();
                state = next.Keep();
                var flatLogits = logits.reshape(-1, logits.shape[2]);
                var flatTarget = target.reshape(-1);
                lossSum += nn.functional.cross_entropy(flatLogits, flatTarget, reduction: nn.Reduction.Sum).ToDouble();
                var top = flatLogits.topk((int)Math.Min(5, flatLogits.shape[1])).indexes;
                var hits = top.eq(flatTarget.unsqueeze(1));
                topOne += hits.select(1, 0).sum().ToInt64();
                topFive += hits.any(1).sum().ToInt64();
                count += flatTarget.shape[0];
            }
        }
        finally
        {
            state?.Dispose();
            network.train(wasTraining);
        }
        return new Totals(lossSum, topOne, topFive, count);
    }
}
