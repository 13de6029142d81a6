using Microsoft.ML.Recurrent.Forecasting;

namespace Microsoft.ML.Recurrent.Tests.Forecasting;

[TestClass]
public sealed class ForecastAccuracyTests
{
    private static readonly float[] Actual = [10, 20, 30, 40];
    private static readonly float[] Predicted = [12, 18, 30, 44];

    [TestMethod]
    public void PointErrorsMatchHandComputedValues()
    {
        // Errors 2, 2, 0, 4.
        Assert.AreEqual(2.0, ForecastAccuracy.MeanAbsoluteError(Actual, Predicted), 1e-12);
        Assert.AreEqual(Math.Sqrt((4 + 4 + 0 + 16) / 4.0), ForecastAccuracy.RootMeanSquaredError(Actual, Predicted), 1e-12);
        double smape = 100 * (2 * 2 / 22.0 + 2 * 2 / 38.0 + 0 + 2 * 4 / 84.0) / 4;
        Assert.AreEqual(smape, ForecastAccuracy.SymmetricMeanAbsolutePercentageError(Actual, Predicted), 1e-10);
        Assert.AreEqual(0, ForecastAccuracy.SymmetricMeanAbsolutePercentageError([0, 5], [0, 5]), 1e-12, "0/0 counts as no error");
    }

    [TestMethod]
    public void MaseScalesByTheInSampleSeasonalNaiveError()
    {
        float[] inSample = [1, 2, 3, 2, 4, 5];
        // Season 2: |3-1| + |2-2| + |4-3| + |5-2| = 6 over 4 differences = 1.5.
        Assert.AreEqual(1.5, ForecastAccuracy.SeasonalNaiveScale(inSample, 2), 1e-12);
        Assert.AreEqual(2.0 / 1.5, ForecastAccuracy.MeanAbsoluteScaledError(Actual, Predicted, inSample, 2), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => ForecastAccuracy.SeasonalNaiveScale([1, 2], 2));
    }

    [TestMethod]
    public void MaseIsRejectedWhenTheTrainingSeriesHasNoNaiveError()
    {
        // A constant training series: the naive forecast is perfect in-sample, so MASE divides by zero.
        var constant = Assert.ThrowsExactly<ArgumentException>(() => ForecastAccuracy.MeanAbsoluteScaledError(Actual, Predicted, [5, 5, 5, 5, 5], 1));
        StringAssert.Contains(constant.Message, "undefined");
        StringAssert.Contains(constant.Message, "constant");
        // 0/0: a perfect forecast of a constant series.
        Assert.ThrowsExactly<ArgumentException>(() => ForecastAccuracy.MeanAbsoluteScaledError([5, 5], [5, 5], [5, 5, 5, 5, 5], 1));
        // A series that repeats its season exactly has no seasonal-naive error either.
        var periodic = Assert.ThrowsExactly<ArgumentException>(() => ForecastAccuracy.MeanAbsoluteScaledError(Actual, Predicted, [1, 2, 1, 2, 1, 2], 2));
        StringAssert.Contains(periodic.Message, "period 2");
    }

    [TestMethod]
    public void CoverageCountsValuesInsideTheBoundsInclusive()
    {
        Assert.AreEqual(0.75, ForecastAccuracy.Coverage(Actual, [9, 20, 31, 35], [11, 25, 35, 40]), 1e-12);
    }

    [TestMethod]
    public void SeasonalNaiveRepeatsTheLastSeason()
    {
        CollectionAssert.AreEqual(new float[] { 3, 4, 5, 3, 4 }, ForecastAccuracy.SeasonalNaiveForecast([1, 2, 3, 4, 5], 5, 3));
        CollectionAssert.AreEqual(new float[] { 5, 5 }, ForecastAccuracy.SeasonalNaiveForecast([1, 2, 3, 4, 5], 2, 1));
    }

    [TestMethod]
    public void MismatchedLengthsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ForecastAccuracy.MeanAbsoluteError([1, 2], [1]));
    }
}
