using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Training;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>A NaN or infinite loss stops training through the public trainer with the epoch and batch where it happened.</summary>
[TestClass]
public sealed class DivergenceTests
{
    private static TrainingDivergedException Diverge(IEnumerable<FloatRow> rows, Action<Microsoft.ML.Recurrent.Classification.RecurrentSequenceTrainerOptions> change)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 3);
        options.FeatureColumnName = "Values";
        options.FeatureSize = 1;
        options.HiddenSize = 4;
        options.Seed = 1;
        change(options);
        var ml = new MLContext(seed: 1);
        return Assert.Throws<TrainingDivergedException>(() => ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
    }

    [TestMethod]
    public void ExtremeLabelsStopTrainingAtTheFirstBatch()
    {
        var error = Diverge([new FloatRow { Values = [1f], Label = 3e38f }, new FloatRow { Values = [2f], Label = -3e38f }], _ => { });
        Assert.AreEqual(1, error.Epoch);
        Assert.AreEqual(1, error.Batch);
        Assert.IsFalse(double.IsFinite(error.Loss));
        StringAssert.Contains(error.Message, "epoch 1, batch 1");
    }

    [TestMethod]
    public void AHugeLearningRateStopsTrainingNamingTheBatch()
    {
        var rows = Enumerable.Range(0, 16).Select(i => new FloatRow { Values = [i, -i, i * 0.5f], Label = i * 10 });
        var error = Diverge(rows, o =>
        {
            o.Optimizer = OptimizerKind.Sgd;
            o.Momentum = 0;
            o.LearningRate = 1e30;
            o.GradientClipNorm = 0;
            o.BatchSize = 2;
        });
        Assert.IsTrue(error.Epoch >= 1 && error.Batch >= 2, $"diverged at epoch {error.Epoch}, batch {error.Batch}: the first step cannot have a NaN loss");
        StringAssert.Contains(error.Message, $"epoch {error.Epoch}, batch {error.Batch}");
    }
}
