using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>
/// Recurrent trainers on ML.NET's own catalogs: <c>mlContext.BinaryClassification.Trainers.Recurrent(...)</c>,
/// <c>mlContext.MulticlassClassification.Trainers.Recurrent(...)</c> and <c>mlContext.Regression.Trainers.Recurrent(...)</c>.
/// </summary>
public static class RecurrentTrainersCatalogExtensions
{
    /// <summary>
    /// A recurrent sequence classifier for two classes (e.g. sentiment). Defaults: bidirectional LSTM, 128 hidden units,
    /// 100-d embeddings with dropout 0.3, Adam at 1e-3, 10 epochs of batches of 32.
    /// </summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="labelColumnName">Boolean label column.</param>
    /// <param name="featureColumnName">Token-id vector column (e.g. from <c>TokenizeToSequence</c>).</param>
    /// <param name="exampleWeightColumnName">Optional Single column of example weights (see <see cref="RecurrentSequenceTrainerOptions.ExampleWeightColumnName"/>); null: every row weighs 1.</param>
    /// <param name="hiddenSize">Hidden units per direction; at least 1.</param>
    /// <param name="epochs">Passes over the training data; at least 1.</param>
    /// <param name="batchSize">Sequences per mini-batch; at least 1.</param>
    /// <param name="learningRate">Adam's learning rate; positive.</param>
    public static RecurrentSequenceTrainer Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, int hiddenSize = 128,
        int epochs = 10, int batchSize = 32, double learningRate = 1e-3)
        => catalog.Recurrent(Flat(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenSize, epochs, batchSize, learningRate));

    /// <summary>A recurrent sequence classifier for two classes, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="options">Columns, network and training settings; see <see cref="RecurrentSequenceTrainerOptions"/>.</param>
    public static RecurrentSequenceTrainer Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentSequenceTrainerOptions options)
        => new(BridgeEnvironment.FromCatalog(catalog), SequencePredictionKind.BinaryClassification, options);

    /// <summary>
    /// A recurrent sequence classifier for several classes (the label is a key, e.g. from <c>MapValueToKey</c>).
    /// Defaults as for binary classification.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="featureColumnName">Token-id vector column.</param>
    /// <param name="exampleWeightColumnName">Optional Single column of example weights; null: every row weighs 1.</param>
    /// <param name="hiddenSize">Hidden units per direction; at least 1.</param>
    /// <param name="epochs">Passes over the training data; at least 1.</param>
    /// <param name="batchSize">Sequences per mini-batch; at least 1.</param>
    /// <param name="learningRate">Adam's learning rate; positive.</param>
    public static RecurrentSequenceTrainer Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, int hiddenSize = 128,
        int epochs = 10, int batchSize = 32, double learningRate = 1e-3)
        => catalog.Recurrent(Flat(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenSize, epochs, batchSize, learningRate));

    /// <summary>A recurrent sequence classifier for several classes, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="options">Columns, network and training settings.</param>
    public static RecurrentSequenceTrainer Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentSequenceTrainerOptions options)
        => new(BridgeEnvironment.FromCatalog(catalog), SequencePredictionKind.MulticlassClassification, options);

    /// <summary>
    /// A recurrent sequence regressor (one Single value per sequence). Defaults as for binary classification.
    /// For numeric sequences use the options overload and set <see cref="RecurrentSequenceTrainerOptions.FeatureSize"/>.
    /// </summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="labelColumnName">Single label column.</param>
    /// <param name="featureColumnName">Token-id vector column.</param>
    /// <param name="exampleWeightColumnName">Optional Single column of example weights; null: every row weighs 1.</param>
    /// <param name="hiddenSize">Hidden units per direction; at least 1.</param>
    /// <param name="epochs">Passes over the training data; at least 1.</param>
    /// <param name="batchSize">Sequences per mini-batch; at least 1.</param>
    /// <param name="learningRate">Adam's learning rate; positive.</param>
    public static RecurrentSequenceTrainer Recurrent(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, int hiddenSize = 128,
        int epochs = 10, int batchSize = 32, double learningRate = 1e-3)
        => catalog.Recurrent(Flat(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenSize, epochs, batchSize, learningRate));

    /// <summary>A recurrent sequence regressor, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="options">Columns, network and training settings.</param>
    public static RecurrentSequenceTrainer Recurrent(this RegressionCatalog.RegressionTrainers catalog, RecurrentSequenceTrainerOptions options)
        => new(BridgeEnvironment.FromCatalog(catalog), SequencePredictionKind.Regression, options);

    private static RecurrentSequenceTrainerOptions Flat(string label, string features, string? weights, int hiddenSize, int epochs, int batchSize, double learningRate)
        => new()
        {
            LabelColumnName = label,
            FeatureColumnName = features,
            ExampleWeightColumnName = weights,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        };
}
