using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>The front door for sequence-to-sequence models: <c>mlContext.SequenceToSequence()</c>.</summary>
public static class SequenceToSequenceCatalogExtensions
{
    /// <summary>Trainers and evaluation for models that map a token sequence to another token sequence.</summary>
    /// <param name="mlContext">The ML.NET context; its seed seeds training unless the options give one.</param>
    public static SequenceToSequenceCatalog SequenceToSequence(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new SequenceToSequenceCatalog(mlContext);
    }
}

/// <summary>Sequence-to-sequence trainers (<see cref="Trainers"/>) and <see cref="Evaluate"/>.</summary>
public sealed class SequenceToSequenceCatalog
{
    internal SequenceToSequenceCatalog(IHostEnvironment environment) => Trainers = new SequenceToSequenceTrainers(environment);

    /// <summary>The sequence-to-sequence trainers.</summary>
    public SequenceToSequenceTrainers Trainers { get; }

    /// <summary>
    /// Compares predicted target ids with the reference target ids of every row: exact match, position-wise token
    /// accuracy and corpus BLEU-4 (see <see cref="Seq2SeqMetrics"/>).
    /// </summary>
    /// <param name="data">Scored data holding both columns.</param>
    /// <param name="labelColumnName">Reference target ids (vector of Int32, Int64, UInt32 or key).</param>
    /// <param name="predictedTokensColumnName">Predicted target ids.</param>
    /// <param name="beginId">Id removed from the start of each sequence (the tokenizer's &lt;s&gt;, 2); -1 to keep every id. Pass -1 when the trainer added its own begin and end ids.</param>
    /// <param name="endId">Id removed from the end of each sequence (&lt;/s&gt;, 3); -1 to keep every id.</param>
    public Seq2SeqMetrics Evaluate(IDataView data, string labelColumnName = "Target", string predictedTokensColumnName = "PredictedTokens",
        int beginId = 2, int endId = 3)
    {
        ArgumentNullException.ThrowIfNull(data);
        var reference = Column(data, labelColumnName, "reference");
        var predicted = Column(data, predictedTokensColumnName, "predicted");
        var references = new List<IReadOnlyList<long>>();
        var hypotheses = new List<IReadOnlyList<long>>();
        using var cursor = data.GetRowCursor([reference, predicted]);
        var referenceReader = VectorColumnReader.TryCreate(cursor, reference, allowDouble: false)!;
        var predictedReader = VectorColumnReader.TryCreate(cursor, predicted, allowDouble: false)!;
        long[] buffer = new long[64];
        while (cursor.MoveNext())
        {
            references.Add(Strip(buffer, referenceReader.ReadIntegers(ref buffer), beginId, endId));
            hypotheses.Add(Strip(buffer, predictedReader.ReadIntegers(ref buffer), beginId, endId));
        }
        return Seq2SeqMetrics.Compute(references, hypotheses);
    }

    private static DataViewSchema.Column Column(IDataView data, string name, string role)
    {
        var column = data.Schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(name, $"Sequence-to-sequence evaluation: the {role} column '{name}' was not found. Available columns: {string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        var raw = (column.Type as VectorDataViewType)?.ItemType.RawType;
        if (raw != typeof(int) && raw != typeof(long) && raw != typeof(uint))
            throw new ArgumentOutOfRangeException(name, $"Sequence-to-sequence evaluation: the {role} column '{name}' has type {column.Type}; expected a vector of token ids (Int32, Int64, UInt32 or key).");
        return column;
    }

    // Padding (0) anywhere, plus one leading begin id and one trailing end id, are not part of the sequence.
    private static long[] Strip(long[] buffer, int count, int beginId, int endId)
    {
        var ids = buffer.Take(count).Where(id => id != 0).ToList();
        if (beginId >= 0 && ids.Count > 0 && ids[0] == beginId)
            ids.RemoveAt(0);
        if (endId >= 0 && ids.Count > 0 && ids[^1] == endId)
            ids.RemoveAt(ids.Count - 1);
        return ids.ToArray();
    }
}

/// <summary>Sequence-to-sequence trainers: <c>mlContext.SequenceToSequence().Trainers</c>.</summary>
public sealed class SequenceToSequenceTrainers
{
    private readonly IHostEnvironment _environment;

    internal SequenceToSequenceTrainers(IHostEnvironment environment) => _environment = environment;

    /// <summary>
    /// A recurrent encoder-decoder with attention. Defaults: bidirectional LSTM encoder of 128 units per direction,
    /// Luong "general" attention, 64-d embeddings, teacher forcing, greedy decoding, Adam at 1e-3, 10 epochs of 32.
    /// The target must start with &lt;s&gt; and end with &lt;/s&gt; (<c>TokenizeToSequence(addBeginEnd: true)</c>);
    /// for text output and the other settings use the options overload.
    /// </summary>
    /// <param name="sourceColumnName">Source token-id vector column.</param>
    /// <param name="targetColumnName">Target token-id vector column.</param>
    /// <param name="hiddenSize">Encoder hidden units per direction; at least 1.</param>
    /// <param name="attention">How the decoder attends over the encoder outputs.</param>
    /// <param name="beamWidth">Beam width at prediction; 1 = greedy.</param>
    /// <param name="epochs">Passes over the training data; at least 1.</param>
    /// <param name="batchSize">Sequence pairs per mini-batch; at least 1.</param>
    /// <param name="learningRate">Adam's learning rate; positive.</param>
    public Seq2SeqTrainer Recurrent(string sourceColumnName = "Source", string targetColumnName = "Target", int hiddenSize = 128,
        AttentionKind attention = AttentionKind.LuongGeneral, int beamWidth = 1, int epochs = 10, int batchSize = 32, double learningRate = 1e-3)
        => Recurrent(new Seq2SeqTrainerOptions
        {
            SourceColumnName = sourceColumnName,
            TargetColumnName = targetColumnName,
            HiddenSize = hiddenSize,
            Attention = attention,
            BeamWidth = beamWidth,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>A recurrent encoder-decoder with attention, with every setting in <paramref name="options"/>.</summary>
    /// <param name="options">Columns, network, decoding and training settings; see <see cref="Seq2SeqTrainerOptions"/>.</param>
    public Seq2SeqTrainer Recurrent(Seq2SeqTrainerOptions options) => new(_environment, options);
}
