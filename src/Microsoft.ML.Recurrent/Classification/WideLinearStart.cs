using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// The linear model on the wide features alone, fitted with ML.NET's own trainer before the recurrent part trains:
/// L-BFGS logistic regression (binary), L-BFGS maximum entropy (multiclass) or SDCA least squares (regression), with
/// the L2 strength chosen on validation rows and no L1. Its weights become the network's wide map and its bias the output bias, and the output
/// layer's weights on the recurrent encoding start at zero, so training starts from the linear model's predictions and
/// the recurrent part learns what the linear model leaves (see <see cref="RecurrentSequenceTrainerOptions.WideFeatureColumnName"/>).
/// </summary>
/// <param name="Weights">[outputs][wide features].</param>
/// <param name="Biases">[outputs].</param>
internal sealed record WideLinearStart(float[][] Weights, float[] Biases)
{
    private const string FeaturesColumn = "Features", LabelColumn = "Label", WeightColumn = "Weight";

    /// <summary>One training row as ML.NET reads it; the label column used depends on the task.</summary>
    private sealed class Row
    {
        public VBuffer<float> Features;
        public bool Binary;
        public uint Class;
        public float Value;
        public float Weight;
    }

    /// <summary>The L2 regularization strengths tried; none of them uses L1, which empties most n-gram weights.</summary>
    internal static readonly float[] L2Candidates = [1f, 0.1f, 0.01f, 0.001f];

    /// <summary>
    /// Fits the linear model on the examples <paramref name="trainRows"/> of <paramref name="training"/> (the rows the
    /// network trains on: never its validation rows), with their weights when the data has them. The L2 strength is
    /// the one of <see cref="L2Candidates"/> with the lowest loss on <paramref name="validationRows"/> of
    /// <paramref name="validation"/>; without validation rows, on a fifth of the training rows held out for the choice,
    /// after which the chosen strength is fitted on all of them.
    /// </summary>
    public static WideLinearStart Fit(SequencePredictionKind kind, SequenceDataset training, int[] trainRows, SequenceDataset? validation,
        int[]? validationRows, int outputSize, int seed, Action<string>? log = null)
    {
        var ml = new MLContext(seed);
        var all = View(ml, kind, training, trainRows, outputSize);
        IDataView fitOn = all, chooseOn;
        if (validation is not null && validationRows is { Length: > 0 })
        {
            chooseOn = View(ml, kind, validation, validationRows, outputSize);
        }
        else
        {
            var (fit, held) = BatchPlan.SplitForValidation(trainRows.Length, 0.2, seed);
            fitOn = View(ml, kind, training, fit.Select(i => trainRows[i]).ToArray(), outputSize);
            chooseOn = View(ml, kind, training, held.Select(i => trainRows[i]).ToArray(), outputSize);
        }
        string? weights = training.HasWeights ? WeightColumn : null;
        var losses = L2Candidates.Select(l2 => Loss(ml, kind, Trainer(ml, kind, l2, weights).Fit(fitOn).Transform(chooseOn))).ToArray();
        float best = L2Candidates[Array.IndexOf(losses, losses.Min())];
        log?.Invoke($"Linear model on the wide features: validation loss {string.Join(", ", L2Candidates.Select((l2, i) => $"{losses[i]:G4} at L2 {l2}"))}; using L2 {best}.");
        var model = Trainer(ml, kind, best, weights).Fit(all);
        return From(model);
    }

    private static IEstimator<ITransformer> Trainer(MLContext ml, SequencePredictionKind kind, float l2, string? weights) => kind switch
    {
        SequencePredictionKind.BinaryClassification => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(LabelColumn, FeaturesColumn, weights, l1Regularization: 0, l2Regularization: l2),
        SequencePredictionKind.MulticlassClassification => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(LabelColumn, FeaturesColumn, weights, l1Regularization: 0, l2Regularization: l2),
        _ => ml.Regression.Trainers.Sdca(LabelColumn, FeaturesColumn, weights, l2Regularization: l2, l1Regularization: 0),
    };

    private static double Loss(MLContext ml, SequencePredictionKind kind, IDataView scored) => kind switch
    {
        SequencePredictionKind.BinaryClassification => ml.BinaryClassification.Evaluate(scored, LabelColumn).LogLoss,
        SequencePredictionKind.MulticlassClassification => ml.MulticlassClassification.Evaluate(scored, LabelColumn).LogLoss,
        _ => ml.Regression.Evaluate(scored, LabelColumn).MeanSquaredError,
    };

    private static WideLinearStart From(ITransformer fitted)
    {
        switch (fitted)
        {
            case BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> binary:
                return new WideLinearStart([binary.Model.SubModel.Weights.ToArray()], [binary.Model.SubModel.Bias]);
            case MulticlassPredictionTransformer<MaximumEntropyModelParameters> multiclass:
            {
                var classWeights = default(VBuffer<float>[]);
                multiclass.Model.GetWeights(ref classWeights, out int classes);
                return new WideLinearStart(classWeights!.Take(classes).Select(w => w.DenseValues().ToArray()).ToArray(), multiclass.Model.GetBiases().ToArray());
            }
            case RegressionPredictionTransformer<LinearRegressionModelParameters> regression:
                return new WideLinearStart([regression.Model.Weights.ToArray()], [regression.Model.Bias]);
            default:
                throw new InvalidOperationException($"Unexpected linear model {fitted.GetType().Name}.");
        }
    }

    /// <summary>The rows <paramref name="indices"/> of <paramref name="data"/> as ML.NET data: Features, Label (of the task's type) and Weight.</summary>
    private static IDataView View(MLContext ml, SequencePredictionKind kind, SequenceDataset data, int[] indices, int outputSize)
    {
        int width = data.WideSize;
        var rows = indices.Select(i =>
        {
            var values = data.GetWide(i, out var positions);
            return new Row
            {
                Features = new VBuffer<float>(width, values.Length, values.ToArray(), positions.ToArray()),
                Binary = kind == SequencePredictionKind.BinaryClassification && data.GetValue(i) > 0.5f,
                Class = kind == SequencePredictionKind.MulticlassClassification ? (uint)data.GetClass(i) + 1 : 0,
                Value = kind == SequencePredictionKind.Regression ? data.GetValue(i) : 0,
                Weight = data.GetWeight(i),
            };
        }).ToList();
        string label = kind switch
        {
            SequencePredictionKind.BinaryClassification => nameof(Row.Binary),
            SequencePredictionKind.MulticlassClassification => nameof(Row.Class),
            _ => nameof(Row.Value),
        };
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Row.Class)].ColumnType = new KeyDataViewType(typeof(uint), outputSize);
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        return ml.Transforms.CopyColumns(LabelColumn, label).Append(ml.Transforms.CopyColumns(WeightColumn, nameof(Row.Weight))).Fit(view).Transform(view);
    }

    /// <summary>
    /// Writes the linear model into <paramref name="network"/>: the wide map and the output bias take its weights and
    /// bias; the output layer's weights on the encoding become zero, so the network predicts what the linear model does.
    /// </summary>
    public void CopyInto(SequenceClassifierNetwork network)
    {
        var wide = network.Wide ?? throw new InvalidOperationException("The network reads no wide features.");
        if (Weights.Length != network.OutputSize || Weights.Any(w => w.Length != network.WideSize))
            throw new InvalidOperationException($"The linear model has {Weights.Length} x {Weights.FirstOrDefault()?.Length} weights; the network needs {network.OutputSize} x {network.WideSize}.");
        using var noGrad = no_grad();
        using var weights = tensor(Weights.SelectMany(w => w).ToArray(), [Weights.Length, network.WideSize]);
        using var biases = tensor(Biases);
        wide.weight!.copy_(weights);
        network.Head.bias!.copy_(biases);
        network.Head.weight!.zero_();
    }
}
