using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Tests.Forecasting;

[TestClass]
public sealed class SeriesWindowingTests
{
    private static SeriesFrame Plain(params float[] values) => SeriesFrame.FromArrays("Value", values);

    [TestMethod]
    public void WindowsOfAPlainSeriesMatchTheHandTable()
    {
        var windows = SeriesWindowing.Create(Plain(1, 2, 3, 4, 5, 6), lookback: 2, horizon: 2);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, windows.Select(w => w.Origin).ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 2 }, windows[0].Inputs);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, windows[0].Targets);
        CollectionAssert.AreEqual(new float[] { 2, 3 }, windows[1].Inputs);
        CollectionAssert.AreEqual(new float[] { 4, 5 }, windows[1].Targets);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, windows[2].Inputs);
        CollectionAssert.AreEqual(new float[] { 5, 6 }, windows[2].Targets);
    }

    [TestMethod]
    public void StrideCountsBackFromTheLastWindow()
    {
        var windows = SeriesWindowing.Create(Plain(1, 2, 3, 4, 5, 6, 7), lookback: 2, horizon: 1, stride: 2);
        // Last possible origin is 6; then 4 and 2 — the most recent data is always used.
        CollectionAssert.AreEqual(new[] { 2, 4, 6 }, windows.Select(w => w.Origin).ToArray());
        CollectionAssert.AreEqual(new float[] { 5, 6 }, windows[2].Inputs);
        CollectionAssert.AreEqual(new float[] { 7 }, windows[2].Targets);
    }

    [TestMethod]
    public void FeaturesAndKnownFutureColumnsFollowTheDocumentedStepLayout()
    {
        var series = SeriesFrame.FromArrays("Value", [1, 2, 3, 4, 5],
            [KeyValuePair.Create("Extra", new float[] { 10, 20, 30, 40, 50 })],
            [KeyValuePair.Create("Month", new float[] { 100, 200, 300, 400, 500 })]);
        Assert.AreEqual(4, SeriesWindowing.StepWidth(1, 1));
        var windows = SeriesWindowing.Create(series, lookback: 2, horizon: 2);
        Assert.AreEqual(2, windows.Count);
        // Step = [value, extra, month now, month two steps later]; origin 2 reads steps 0 and 1 and forecasts 2 and 3.
        CollectionAssert.AreEqual(new float[] { 1, 10, 100, 300, 2, 20, 200, 400 }, windows[0].Inputs);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, windows[0].Targets);
        CollectionAssert.AreEqual(new float[] { 2, 20, 200, 400, 3, 30, 300, 500 }, windows[1].Inputs);
        CollectionAssert.AreEqual(new float[] { 4, 5 }, windows[1].Targets);
    }

    [TestMethod]
    public void APredictionWindowTakesFutureCovariatesAfterTheEnd()
    {
        var series = SeriesFrame.FromArrays("Value", [1, 2, 3], knownFuture: [KeyValuePair.Create("Month", new float[] { 100, 200, 300 })]);
        var input = SeriesWindowing.CreateInput(series, origin: 3, lookback: 2, horizon: 2, futureKnown: [400, 500]);
        CollectionAssert.AreEqual(new float[] { 2, 200, 400, 3, 300, 500 }, input);
        var error = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindowing.CreateInput(series, 3, 2, 2, [400]));
        StringAssert.Contains(error.Message, "Month");
    }

    [TestMethod]
    public void AHorizonLongerThanTheHistoryIsAClearError()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindowing.Create(Plain(1, 2, 3, 4), lookback: 2, horizon: 5));
        StringAssert.Contains(error.Message, "'Value'");
        StringAssert.Contains(error.Message, "at least 7");
    }

    [TestMethod]
    public void NaNInASeriesNamesTheColumnAndTheRow()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Plain(1, 2, float.NaN, 4));
        StringAssert.Contains(error.Message, "'Value'");
        StringAssert.Contains(error.Message, "row 2");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { 1f, 2f, 3f, float.NaN }.Select(v => new Point { Passengers = v }));
        var fromView = Assert.ThrowsExactly<InvalidDataException>(() => SeriesFrame.Read(data, "Passengers"));
        StringAssert.Contains(fromView.Message, "'Passengers'");
        StringAssert.Contains(fromView.Message, "row 3");
    }

    [TestMethod]
    public void AMissingColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Point { Passengers = 1 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesFrame.Read(data, "Sales"));
        StringAssert.Contains(error.Message, "'Sales'");
        StringAssert.Contains(error.Message, "Passengers");
    }

    [TestMethod]
    public void ScalingRoundTripsInBothModes()
    {
        float[] values = [112, 118, 132, 129, 121, 135, 148, 148];
        foreach (var mode in new[] { SeriesScaling.Standard, SeriesScaling.Log })
        {
            var scaler = SeriesScaler.Fit("Passengers", values, mode);
            var scaled = values.Select(scaler.Transform).ToArray();
            Assert.AreEqual(0, scaled.Average(), 1e-5, $"{mode}: scaled mean");
            foreach (var (original, s) in values.Zip(scaled))
                Assert.AreEqual(original, scaler.Inverse(s), original * 1e-5, $"{mode}: round trip of {original}");
        }
        var log = SeriesScaler.Fit("Passengers", values, SeriesScaling.Log);
        Assert.AreEqual(values.Select(v => Math.Log(v)).Average(), log.Offset, 1e-9);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SeriesScaler.Fit("Passengers", [3, 0, 2], SeriesScaling.Log));
        StringAssert.Contains(error.Message, "row 1");
    }

    private sealed class Point
    {
        public float Passengers { get; set; }
    }
}
