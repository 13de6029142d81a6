using BenchmarkDotNet.Attributes;
using Microsoft.ML.Recurrent.Benchmarks.Macro;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Benchmarks.Micro;

/// <summary>Per-call costs on the inference and data paths: one prediction, one training batch's tensors.</summary>
[MemoryDiagnoser]
public class InferenceMicroBenchmarks
{
    private RecurrentSequenceTransformer _model = null!;
    private PredictionEngine<TokenRow, ScoredRow> _engine = null!;
    private TokenRow _row = null!;
    private long[] _tokens = [];
    private SequenceDataset _dataset = null!;
    private BatchIterator _iterator = null!;
    private int[] _batch = [];

    /// <summary>Trains a small BiLSTM-128 (one epoch) and prepares a 20-token sentence and a batch of 32.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(SyntheticData.Sentences(200, TrainingThroughput.Vocabulary, seed: 3));
        _model = mlContext.BinaryClassification.Trainers.Recurrent(TrainingThroughput.TrainerOptions(epochs: 1)).Fit(data);
        _engine = mlContext.Model.CreatePredictionEngine<TokenRow, ScoredRow>(_model);
        _row = new TokenRow { Tokens = SyntheticData.Sentence(20, TrainingThroughput.Vocabulary, seed: 4) };
        _tokens = _row.Tokens.Select(t => (long)t).ToArray();
        _dataset = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value, trimPadding: true);
        _iterator = new BatchIterator(_dataset);
        _batch = Enumerable.Range(0, TrainingThroughput.BatchSize).ToArray();
    }

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _model.ReleaseNativeMemory();
    }

    /// <summary>PredictionEngine.Predict on 20 tokens.</summary>
    [Benchmark]
    public float PredictionEnginePredict() => _engine.Predict(_row).Probability;

    /// <summary>The transformer's own per-row call, without ML.NET's row plumbing.</summary>
    [Benchmark]
    public float TransformerPredict() => _model.Predict(_tokens, default)[0];

    /// <summary>Tensors of one training batch of 32 from the dataset.</summary>
    [Benchmark]
    public long CreateBatch()
    {
        using var scope = NewDisposeScope();
        return _iterator.Create(_batch).MaxLength;
    }
}
