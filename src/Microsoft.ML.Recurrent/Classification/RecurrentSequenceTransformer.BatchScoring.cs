using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

// ITransformer is declared again so that the interface's Transform maps to the batched one below, whatever the
// static type of the caller's reference (TransformerChain, Evaluate, CrossValidate all call it through ITransformer).
public sealed partial class RecurrentSequenceTransformer : ITransformer
{
    /// <summary>Rows per network call within a read-ahead block.</summary>
    internal const int ScoringBatchSize = 64;

    /// <summary>
    /// Adds the task's columns to <paramref name="input"/>. Cursors that read them in order score 256 rows at a time,
    /// in length-sorted batches of <see cref="ScoringBatchSize"/>, which is several times faster than one network
    /// call per row (the path <c>PredictionEngine</c> takes). Shuffled cursors and cursors that read none of the new
    /// columns go row by row.
    /// </summary>
    /// <remarks>
    /// A batched score equals the row-by-row score to within float rounding (about 1e-6 on a logit): matrix products
    /// over a batch may sum in another order than over one row. The same input gives the same bits on every run.
    /// </remarks>
    /// <param name="input">Data with the feature column the model was trained on.</param>
    public new IDataView Transform(IDataView input)
    {
        var rowByRow = base.Transform(input); // checks the schema and gives the output schema
        var settings = Settings;
        var source = input.Schema[settings.FeatureColumnName];
        DataViewSchema.Column? wide = settings.UsesWideFeatures ? input.Schema[settings.WideFeatureColumnName!] : null;
        int featureSize = settings.UsesTokens ? 0 : settings.FeatureSize;
        return ReadAheadScoredDataView<SequenceInput, float[]>.Create(input, rowByRow, new BlockScorer<SequenceInput, float[]>(
            wide is { } w ? [source, w] : [source],
            OutputColumns(settings).Length,
            row =>
            {
                var read = SequenceRowReader.Create(row, source, settings.FeatureColumnName, featureSize);
                var readWide = wide is { } wideColumn ? SequenceRowReader.CreateWide(row, wideColumn, settings.WideFeatureSize) : null;
                return () =>
                {
                    var (tokens, features, count) = read();
                    var wideFeatures = readWide?.Invoke() ?? default;
                    return featureSize == 0 ? new SequenceInput(tokens.AsSpan(0, count).ToArray(), [], wideFeatures)
                        : new SequenceInput([], features.AsSpan(0, count).ToArray(), wideFeatures);
                };
            },
            PredictBatch,
            (i, current) => OutputGetter(settings, i, current)));
    }

    /// <summary>One row's sequence: token ids, or <c>steps × FeatureSize</c> floats (the other array empty); and its wide features, if any.</summary>
    internal readonly record struct SequenceInput(long[] Tokens, float[] Features, WideFeatures Wide = default);

    /// <summary>
    /// Scores many sequences in length-sorted batches; returns each one's ensemble-averaged output in input order, as
    /// <see cref="Predict"/> would.
    /// </summary>
    internal float[][] PredictBatch(IReadOnlyList<SequenceInput> rows)
    {
        var settings = Settings;
        int Steps(int i) => Math.Max(settings.UsesTokens ? rows[i].Tokens.Length : rows[i].Features.Length / settings.FeatureSize, 1);
        var order = Enumerable.Range(0, rows.Count).OrderByDescending(Steps).ToArray();
        var results = new float[rows.Count][];
        using var noGrad = no_grad();
        for (int start = 0; start < rows.Count; start += ScoringBatchSize)
        {
            int size = Math.Min(ScoringBatchSize, rows.Count - start);
            int width = Steps(order[start]); // the longest of this batch
            using var scope = NewDisposeScope();
            Tensor input;
            if (settings.UsesTokens)
            {
                input = zeros([size, width], ScalarType.Int64);
                var ids = MemoryMarshal.Cast<byte, long>(input.bytes);
                for (int r = 0; r < size; r++)
                {
                    var row = rows[order[start + r]].Tokens;
                    for (int t = 0; t < row.Length; t++)
                        ids[r * width + t] = row[t] >= 0 && row[t] < settings.VocabularySize ? row[t] : UnknownTokenId;
                }
            }
            else
            {
                input = zeros([size, width, settings.FeatureSize], ScalarType.Float32);
                var values = MemoryMarshal.Cast<byte, float>(input.bytes);
                for (int r = 0; r < size; r++)
                    rows[order[start + r]].Features.CopyTo(values.Slice(r * width * settings.FeatureSize));
            }
            var lengths = empty([size], ScalarType.Int64);
            var lengthValues = MemoryMarshal.Cast<byte, long>(lengths.bytes);
            for (int r = 0; r < size; r++)
                lengthValues[r] = Steps(order[start + r]);
            Tensor? wideFeatures = null;
            if (settings.UsesWideFeatures)
            {
                wideFeatures = zeros([size, settings.WideFeatureSize], ScalarType.Float32);
                var values = MemoryMarshal.Cast<byte, float>(wideFeatures.bytes);
                for (int r = 0; r < size; r++)
                    rows[order[start + r]].Wide.CopyTo(values.Slice(r * settings.WideFeatureSize, settings.WideFeatureSize));
            }
            var output = MemoryMarshal.Cast<byte, float>(EnsembleOutput(input, lengths, wideFeatures).contiguous().bytes);
            int outputs = output.Length / size;
            for (int r = 0; r < size; r++)
                results[order[start + r]] = output.Slice(r * outputs, outputs).ToArray();
        }
        return results;
    }
}
