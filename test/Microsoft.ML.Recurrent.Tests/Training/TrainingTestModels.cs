using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// A linear map of each step's features, summed over the real steps, plus a bias: exact for <see cref="TrainingTestData.LinearRegression"/>.
/// Its initial weights are fixed rather than drawn from torch's process-wide generator, which tests running in parallel share.
/// </summary>
internal sealed class StepSumRegressor : nn.Module
{
    private readonly Linear _step;
    private readonly Parameter _bias;

    public StepSumRegressor(int features) : base(nameof(StepSumRegressor))
    {
        // Constructing a Linear draws from the process-wide generator: under the seeding lock, so that a training beside this test keeps its draws.
        _step = TorchSeeding.Create(0, () => nn.Linear(features, 1, hasBias: false));
        _bias = nn.Parameter(zeros(1));
        RegisterComponents();
        using (no_grad())
        {
            using var initial = linspace(-0.3, 0.3, features).reshape(1, features);
            _step.weight!.copy_(initial);
        }
    }

    public Tensor Predict(SequenceBatch batch)
    {
        using var perStep = _step.forward(batch.Inputs).squeeze(-1);
        using var mask = batch.CreateStepMask().to_type(ScalarType.Float32);
        using var masked = perStep * mask;
        using var sum = masked.sum(1);
        return sum + _bias;
    }
}

/// <summary>Mean squared error of <see cref="StepSumRegressor"/>.</summary>
internal class RegressionTask : ITrainingTask
{
    public virtual Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
    {
        using var prediction = ((StepSumRegressor)model).Predict(batch);
        return nn.functional.mse_loss(prediction, batch.RequireTargets());
    }
}

/// <summary>Calls back synchronously on the training thread (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

internal static class ModelState
{
    public static Dictionary<string, float[]> Capture(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());

    public static void AssertEqual(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, string message)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (name, values) in expected)
            CollectionAssert.AreEqual(values, actual[name], $"{message}: {name}");
    }
}
