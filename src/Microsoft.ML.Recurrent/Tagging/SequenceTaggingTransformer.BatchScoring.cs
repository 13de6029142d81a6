using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Tagging;

// ITransformer is declared again so that the interface's Transform maps to the batched one below (TransformerChain
// and Evaluate call it through the interface).
public sealed partial class SequenceTaggingTransformer : ITransformer
{
    /// <summary>Sentences per network call within a read-ahead block.</summary>
    internal const int TaggingBatchSize = 64;

    /// <summary>
    /// Adds the predicted-tags column to <paramref name="input"/>. Cursors that read it in order tag 256 sentences
    /// at a time, in length-sorted batches of <see cref="TaggingBatchSize"/>, instead of one network call per sentence
    /// (the path <c>PredictionEngine</c> takes); shuffled cursors go sentence by sentence.
    /// </summary>
    /// <remarks>
    /// Tags are decoded from per-token scores that equal the one-sentence scores to float rounding, so a tag could in
    /// principle differ where two tags score within about 1e-6 of each other.
    /// </remarks>
    /// <param name="input">Data with the token column the model was trained on.</param>
    public new IDataView Transform(IDataView input)
    {
        var rowByRow = base.Transform(input); // checks the schema and gives the output schema
        var source = input.Schema[Settings.TokenColumnName];
        return ReadAheadScoredDataView<string[], string[]>.Create(input, rowByRow, new BlockScorer<string[], string[]>(
            [source],
            1,
            row => TextVectorReader.Create(row, source), // a new array per row: safe to keep
            PredictSorted,
            (_, current) => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                var tags = current();
                var editor = VBufferEditor.Create(ref value, tags.Length);
                for (int i = 0; i < tags.Length; i++)
                    editor.Values[i] = tags[i].AsMemory();
                value = editor.Commit();
            })));
    }

    /// <summary>Tags sentences in batches of similar length (less padding per call); results in input order.</summary>
    internal string[][] PredictSorted(IReadOnlyList<string[]> sentences)
    {
        var order = Enumerable.Range(0, sentences.Count).OrderByDescending(i => sentences[i].Length).ToArray();
        var results = new string[sentences.Count][];
        for (int start = 0; start < order.Length; start += TaggingBatchSize)
        {
            var chunk = order.Skip(start).Take(TaggingBatchSize).ToArray();
            var tagged = Predict(chunk.Select(i => sentences[i]).ToArray());
            for (int k = 0; k < chunk.Length; k++)
                results[chunk[k]] = tagged[k];
        }
        return results;
    }
}
