using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

// ITransformer is declared again so that the interface's Transform maps to the batched one below, whatever the
// static type of the caller's reference (TransformerChain, Evaluate, CrossValidate all call it through ITransformer).
public sealed partial class RecurrentSequenceTransformer : ITransformer
{
    /// <summary>Rows read ahead from the input before scoring; sorted by length so that batches carry little padding.</summary>
    internal const int ReadAheadRows = 256;

    /// <summary>Rows per network call within a read-ahead block.</summary>
    internal const int ScoringBatchSize = 64;

    /// <summary>
    /// Adds the task's columns to <paramref name="input"/>. Cursors that read them in order score
    /// <see cref="ReadAheadRows"/> rows at a time, in length-sorted batches of <see cref="ScoringBatchSize"/>, which is
    /// several times faster than one network call per row (the path <c>PredictionEngine</c> takes). Shuffled cursors
    /// and cursors that read none of the new columns go row by row.
    /// </summary>
    /// <remarks>
    /// A batched score equals the row-by-row score to within float rounding (about 1e-6 on a logit): matrix products
    /// over a batch may sum in another order than over one row. The same input gives the same bits on every run.
    /// </remarks>
    /// <param name="input">Data with the feature column the model was trained on.</param>
    public new IDataView Transform(IDataView input)
    {
        var rowByRow = base.Transform(input); // checks the schema and gives the output schema
        return BatchScoredDataView.Fits(input.Schema, rowByRow.Schema, OutputColumns(Settings).Length)
            ? new BatchScoredDataView(this, input, rowByRow)
            : rowByRow;
    }

    /// <summary>
    /// Scores many sequences (token ids or <c>steps × FeatureSize</c> floats each) in length-sorted batches; returns
    /// each one's ensemble-averaged output in input order, as <see cref="Predict"/> would.
    /// </summary>
    internal float[][] PredictBatch(IReadOnlyList<long[]> tokens, IReadOnlyList<float[]> features)
    {
        var settings = Settings;
        int count = settings.UsesTokens ? tokens.Count : features.Count;
        int Steps(int i) => Math.Max(settings.UsesTokens ? tokens[i].Length : features[i].Length / settings.FeatureSize, 1);
        var order = Enumerable.Range(0, count).OrderByDescending(Steps).ToArray();
        var results = new float[count][];
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += ScoringBatchSize)
        {
            int rows = Math.Min(ScoringBatchSize, count - start);
            int width = Steps(order[start]); // the longest of this batch
            using var scope = NewDisposeScope();
            Tensor input;
            if (settings.UsesTokens)
            {
                input = zeros([rows, width], ScalarType.Int64);
                var ids = MemoryMarshal.Cast<byte, long>(input.bytes);
                for (int r = 0; r < rows; r++)
                {
                    var row = tokens[order[start + r]];
                    for (int t = 0; t < row.Length; t++)
                        ids[r * width + t] = row[t] >= 0 && row[t] < settings.VocabularySize ? row[t] : UnknownTokenId;
                }
            }
            else
            {
                input = zeros([rows, width, settings.FeatureSize], ScalarType.Float32);
                var values = MemoryMarshal.Cast<byte, float>(input.bytes);
                for (int r = 0; r < rows; r++)
                    features[order[start + r]].CopyTo(values.Slice(r * width * settings.FeatureSize));
            }
            var lengths = empty([rows], ScalarType.Int64);
            var lengthValues = MemoryMarshal.Cast<byte, long>(lengths.bytes);
            for (int r = 0; r < rows; r++)
                lengthValues[r] = Steps(order[start + r]);
            var output = MemoryMarshal.Cast<byte, float>(EnsembleOutput(input, lengths).contiguous().bytes);
            int outputs = output.Length / rows;
            for (int r = 0; r < rows; r++)
                results[order[start + r]] = output.Slice(r * outputs, outputs).ToArray();
        }
        return results;
    }
}
