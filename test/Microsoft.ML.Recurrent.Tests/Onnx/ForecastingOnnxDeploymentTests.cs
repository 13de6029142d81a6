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
/// Forecast, LowerBound and UpperBound columns through Transform and PredictionEngine in this process, and through
/// Transform and the row mapper in a fresh process that must not load TorchSharp's native libraries.
/// </summary>
[TestClass]
public sealed class ForecastingOnnxDeploymentTests
{
    private const int Lookback = 10, Horizon = 4, WindowLength = Lookback * 3; // value, covariate now, covariate a horizon later

    private sealed class WindowRow
    {
        [VectorType(WindowLength)]
        public float[] Window { get; set; } = [];
    }

    private sealed class Predicted
    {
        [VectorType(Horizon)]
        public float[] Forecast { get; set; } = [];
        [VectorType(Horizon)]
        public float[] LowerBound { get; set; } = [];
        [VectorType(Horizon)]
        public float[] UpperBound { get; set; } = [];
    }

    private static (MLContext Ml, ITransformer Pipeline, RecurrentForecastingTransformer Forecaster, IDataView Windows) TrainPipeline()
    {
        var ml = new MLContext(seed: 1);
        var options = ForecastingOnnxParityTests.Tiny(RecurrentCellType.Gru, 2);
        options.KnownFutureColumnNames = ["Phase"];
        options.Scaling = SeriesScaling.Log;
        options.EnsembleSize = 2;
        var series = ml.Data.LoadFromEnumerable(ForecastingOnnxParityTests.Series(60, level: 300, seed: 4));
        var forecaster = ml.Forecasting.Recurrent(options).Fit(series);
        var windows = forecaster.CreateWindowData(series);
        // A transformer after the forecaster shows that the rest of the pipeline is kept.
        var copy = ml.Transforms.CopyColumns("Point", "Forecast").Fit(forecaster.Transform(windows));
        return (ml, new TransformerChain<ITransformer>(forecaster, copy), forecaster, windows);
    }

    [TestMethod]
    public void ForecastDeploymentMatchesTorchSharpHereAndInAProcessWithoutTorchSharp()
    {
        var (ml, pipeline, _, windows) = TrainPipeline();
        using var folder = new TempFolder();
        string onnxPath = folder.File("forecast.onnx"), zipPath = folder.File("forecast.onnx.zip");
        ForecastingOnnxDeployment.Save(ml, pipeline, windows.Schema, onnxPath, zipPath);

        string[] columns = ["Forecast", "LowerBound", "UpperBound", "Point"];
        var expectedOutput = pipeline.Transform(windows);
        var expected = columns.Select(c => expectedOutput.GetColumn<float[]>(c).ToArray()).ToArray();
        var loaded = new MLContext(seed: 1).Model.Load(zipPath, out _);
        var actualOutput = loaded.Transform(windows);
        foreach (string column in columns)
            Assert.AreEqual(expectedOutput.Schema[column].Type, actualOutput.Schema[column].Type, $"column {column} has the forecaster's type");
        double largest = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            var actual = actualOutput.GetColumn<float[]>(columns[c]).ToArray();
            Assert.AreEqual(expected[c].Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
                largest = Math.Max(largest, ForecastingOnnxParityTests.AssertClose(expected[c][i], actual[i], $"row {i} {columns[c]}"));
        }

        // PredictionEngine on the loaded deployment: the typical serving path.
        var engine = ml.Model.CreatePredictionEngine<WindowRow, Predicted>(loaded);
        var lastWindow = windows.GetColumn<float[]>("Window").Last();
        var predicted = engine.Predict(new WindowRow { Window = lastWindow });
        ForecastingOnnxParityTests.AssertClose(expected[0][^1], predicted.Forecast, "PredictionEngine Forecast");
        ForecastingOnnxParityTests.AssertClose(expected[2][^1], predicted.UpperBound, "PredictionEngine UpperBound");

        string inputPath = folder.File("windows.idv");
        using (var stream = File.Create(inputPath))
            ml.Data.SaveAsBinary(windows, stream);
        var lines = FreshProcess.Run("Microsoft.ML.Recurrent.OnnxHost.dll", "score", zipPath, inputPath, string.Join(',', columns));
        Assert.IsTrue(lines.Contains("libtorch-mapped=False"), string.Join('\n', lines.TakeLast(3)));
        Assert.IsTrue(lines.Contains("onnxruntime-mapped=True"), "the fresh process forecast with ONNX Runtime");
        // Nor is TorchSharp's managed assembly: the .zip holds only ML.NET's own components (ApplyOnnxModel, and
        // CopyColumns here). The sequence-model deployment, whose components are this library's, checks the same.
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
        Console.WriteLine($"{fresh.Count} windows: max |TorchSharp - deployment| = {largest:G3}");
    }

    [TestMethod]
    public void ADeploymentNeedsTheForecastersWindowColumn()
    {
        var (ml, pipeline, forecaster, _) = TrainPipeline();
        using var folder = new TempFolder();
        var wrong = ml.Data.LoadFromEnumerable(ForecastingOnnxParityTests.Series(5, level: 1, seed: 1)).Schema;
        var error = Assert.ThrowsExactly<ArgumentException>(() => ForecastingOnnxDeployment.Create(ml, pipeline, wrong, folder.File("x.onnx")));
        StringAssert.Contains(error.Message, "'Window'");
        Assert.IsFalse(File.Exists(folder.File("x.onnx")), "nothing is written for a pipeline that cannot be deployed");

        // The forecaster alone is a pipeline too; a Window column of another width is refused with the expected one.
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Window", new VectorDataViewType(NumberDataViewType.Single, WindowLength - 1));
        var width = Assert.ThrowsExactly<ArgumentException>(() => ForecastingOnnxDeployment.Create(ml, forecaster, builder.ToSchema(), folder.File("y.onnx")));
        StringAssert.Contains(width.Message, $"exactly {WindowLength}");
    }
}
