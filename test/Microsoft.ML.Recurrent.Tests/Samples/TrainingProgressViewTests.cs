using Microsoft.ML.Recurrent.Training;
using global::Samples.Common;

namespace Microsoft.ML.Recurrent.Tests.Samples;

[TestClass]
public sealed class TrainingProgressViewTests
{
    private static TrainingProgress Batch(int epoch, int batch) => new(epoch, batch, 4, 0.5, TimeSpan.Zero, null);

    private static TrainingProgress EndOf(int epoch, double loss) => new(epoch, 4, 4, loss, TimeSpan.Zero, new EpochSummary(epoch, loss, null, 0.75, 1e-3, 0.1));

    [TestMethod]
    public void EachNetworkOfAnEnsembleGetsItsOwnHistoryEvenWithOneEpoch()
    {
        var view = new TrainingProgressView("test", epochs: 1, networks: 2, metricName: "accuracy", interactive: false);
        foreach (var report in new[] { Batch(1, 2), EndOf(1, 0.4), Batch(1, 2), EndOf(1, 0.3) })
            view.Report(report);
        Assert.AreEqual(2, view.History.Count);
        Assert.AreEqual(0.4, view.History[0].Single().TrainingLoss);
        Assert.AreEqual(0.3, view.History[1].Single().TrainingLoss);
    }

    [TestMethod]
    public void EpochsOfOneNetworkStayTogether()
    {
        var view = new TrainingProgressView("test", epochs: 3, interactive: false);
        foreach (var report in new[] { Batch(1, 2), EndOf(1, 0.6), Batch(2, 2), EndOf(2, 0.5), EndOf(3, 0.4) })
            view.Report(report);
        Assert.AreEqual(3, view.History.Single().Count);
        Assert.IsFalse(view.Interactive);
    }
}
