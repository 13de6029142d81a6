using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// A fitted forecasting pipeline against its ONNX deployment (<see cref="ForecastingOnnxDeployment"/>): the same
/// Forecast, LowerBound and UpperBound columns for every row of the series through Transform, in this process and in a
/// fresh process that must not load TorchSharp (its managed assembly or its native libraries).
/// </summary>
[TestClass]
public sealed class ForecastingOnnxDeploymentTests
{
    private const int Lookback = 10, Horizon = 4, WindowLength = Lookback * 3; // value, covariate now, covariate a horizon later

    private static (MLContext Ml, ITransformer Pipeline, RecurrentForecastingTransformer Forecaster, IDataView Series) TrainPipeline()
    {
        var ml = new MLContext(seed: 1);
        var options = ForecastingOnnxParityTests.Tiny(RecurrentCellType.Gru, 2);
        options.KnownFutureColumnNames = ["Phase"];
        options.Scaling = SeriesScaling.Log;
        options.EnsembleSize = 2;
        var series = ml.Data.LoadFromEnumerable(ForecastingOnnxParityTests.Series(60, level: 300, seed: 4));
        var forecaster = ml.Forecasting.Recurrent(options).Fit(series);
        Assert.AreEqual(WindowLength, forecaster.ModelSettings.WindowLength);
        // A transformer after the forecaster shows that the rest of the pipeline is kept.
        var copy = ml.Transforms.CopyColumns("Point", "Forecast").Fit(forecaster.Transform(series));
        return (ml, new TransformerChain<ITransformer>(forecaster, copy), forecaster, series);
    }

    [TestMethod]
    public void ForecastDeploymentMatchesTorchSharpHereAndInAProcessWithoutTorchSharp()
    {
        var (ml, pipeline, _, series) = TrainPipeline();
        using var folder = new TempFolder();
        string onnxPath = folder.File("forecast.onnx"), zipPath = folder.File("forecast.onnx.zip");
        ForecastingOnnxDeployment.Save(ml, pipeline, series.Schema, onnxPath, zipPath);

        string[] columns = ["Forecast", "LowerBound", "UpperBound", "Point"];
        var expectedOutput = pipeline.Transform(series);
        var expected = columns.Select(c => expectedOutput.GetColumn<float[]>(c).ToArray()).ToArray();
        // Row t forecasts from rows t - 9 .. t and needs the phase up to row t + 4: rows 9 .. 55 are forecast, the others are NaN.
        Assert.AreEqual(60 - 9 - 4, expected[0].Count(f => f.All(float.IsFinite)));
        var loaded = new MLContext(seed: 1).Model.Load(zipPath, out _);
        var actualOutput = loaded.Transform(series);
        foreach (string column in columns)
            Assert.AreEqual(expectedOutput.Schema[column].Type, actualOutput.Schema[column].Type, $"column {column} has the forecaster's type");
        Assert.IsNull(actualOutput.Schema.GetColumnOrNull("__recurrent_onnx_window"), "the window column is dropped");
        double largest = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            var actual = actualOutput.GetColumn<float[]>(columns[c]).ToArray();
            Assert.AreEqual(expected[c].Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
                largest = Math.Max(largest, ForecastingOnnxParityTests.AssertClose(expected[c][i], actual[i], $"row {i} {columns[c]}"));
        }

        // Like the forecaster, the deployment reads rows in order: Transform, not PredictionEngine.
        Assert.IsFalse(loaded.IsRowToRowMapper);

        string inputPath = folder.File("series.idv");
        using (var stream = File.Create(inputPath))
            ml.Data.SaveAsBinary(series, stream);
        var lines = FreshProcess.Run("Microsoft.ML.Recurrent.OnnxHost.dll", "score", zipPath, inputPath, string.Join(',', columns));
        Assert.IsTrue(lines.Contains("libtorch-mapped=False"), string.Join('\n', lines.TakeLast(3)));
        Assert.IsTrue(lines.Contains("onnxruntime-mapped=True"), "the fresh process forecast with ONNX Runtime");
        // Nor is TorchSharp's managed assembly: the .zip holds ML.NET's components (ApplyOnnxModel, DropColumns, and
        // CopyColumns here) and this library's windowing step, which touches no TorchSharp type.
        Assert.IsTrue(lines.Contains("torchsharp-assembly=False"), string.Join('\n', lines.TakeLast(3)));
        var fresh = lines.Where(l => l.Contains('\t')).Select(l => l.Split('\t')).ToList();
        Assert.AreEqual(expected[0].Length, fresh.Count);
        for (int i = 0; i < fresh.Count; i++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                var values = fresh[i][c].Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                largest = Math.Max(largest, ForecastingOnnxParityTests.AssertClose(expected[c][i], values, $"fresh process row {i} {columns[c]}"));
            }
        }
        Console.WriteLine($"{fresh.Count} rows: max |TorchSharp - deployment| = {largest:G3}");
    }

    [TestMethod]
    public void ADeploymentNeedsTheForecastersSeriesColumns()
    {
        var (ml, pipeline, forecaster, series) = TrainPipeline();
        using var folder = new TempFolder();
        var withoutPhase = ml.Transforms.DropColumns("Phase").Fit(series).Transform(series).Schema;
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ForecastingOnnxDeployment.Create(ml, pipeline, withoutPhase, folder.File("x.onnx")));
        StringAssert.Contains(error.Message, "'Phase'");
        Assert.IsFalse(File.Exists(folder.File("x.onnx")), "nothing is written for a pipeline that cannot be deployed");

        // The forecaster alone is a pipeline too; a series column of another type is refused with the expected one.
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Value", new VectorDataViewType(NumberDataViewType.Single, WindowLength));
        builder.AddColumn("Phase", NumberDataViewType.Single);
        var mistyped = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ForecastingOnnxDeployment.Create(ml, forecaster, builder.ToSchema(), folder.File("y.onnx")));
        StringAssert.Contains(mistyped.Message, "'Value'");
        StringAssert.Contains(mistyped.Message, "Single or Double scalar");
    }
}
