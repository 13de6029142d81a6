using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// ONNX Runtime on an exported forecaster against the TorchSharp forecaster itself, for tiny models trained a few
/// epochs on generated series: every cell type, stacked layers, an ensemble, log and standard scaling, with and
/// without window normalization, quantile and Gaussian intervals, extra features and known-future covariates.
/// Forecasting networks are unidirectional (the forecaster has no bidirectional option), so that is not varied here.
/// </summary>
[TestClass]
public sealed class ForecastingOnnxParityTests
{
    // Both sides compute in float32 with different kernels (LibTorch/oneDNN against ONNX Runtime's MLAS), so results
    // differ by a few units in the last place of float32 relative to the value. Forecasts here reach several hundred,
    // where one float32 ulp alone is 3e-5 (at 500), above any absolute 1e-5; so the bound is 1e-5 absolute for values
    // up to 1 and 1e-5 relative beyond, i.e. about 100 ulps: tight enough that any wrong scaling, gate order or decoding
    // step (which moves values by percent) fails.
    private const double Tolerance = 1e-5;

    internal sealed class Step
    {
        public float Value { get; set; }
        public float Load { get; set; }
        public float Phase { get; set; }
    }

    /// <summary>A positive trending seasonal series around <paramref name="level"/>, with an observed feature and a phase covariate.</summary>
    internal static List<Step> Series(int length, float level, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(t => new Step
        {
            Value = (float)(level * (1 + 0.004 * t + 0.15 * Math.Sin(2 * Math.PI * t / 12) + 0.02 * (random.NextDouble() - 0.5))),
            Load = (float)(3 * Math.Cos(2 * Math.PI * t / 7) + random.NextDouble()),
            Phase = t % 12,
        }).ToList();
    }

    internal static RecurrentForecastingTrainerOptions Tiny(RecurrentCellType cell, int layers) => new()
    {
        Lookback = 10,
        Horizon = 4,
        HiddenSize = 6,
        Layers = layers,
        CellType = cell,
        Epochs = 2,
        BatchSize = 8,
        LearningRate = 0.01,
        ValidationFraction = 0,
        EarlyStoppingPatience = 0,
        Seed = 7,
    };

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 2, ForecastIntervalKind.Quantile, SeriesScaling.Standard, true)]
    [DataRow(RecurrentCellType.Gru, 1, ForecastIntervalKind.Gaussian, SeriesScaling.Log, true)]
    [DataRow(RecurrentCellType.RnnTanh, 2, ForecastIntervalKind.Quantile, SeriesScaling.Log, false)]
    [DataRow(RecurrentCellType.RnnRelu, 1, ForecastIntervalKind.Gaussian, SeriesScaling.Standard, false)]
    public void ForecastsMatchTorchSharp(RecurrentCellType cell, int layers, ForecastIntervalKind interval, SeriesScaling scaling, bool normalize)
    {
        var options = Tiny(cell, layers);
        options.IntervalKind = interval;
        options.Scaling = scaling;
        options.WindowNormalization = normalize;
        AssertParity(Train(options, Series(70, level: 120, seed: (int)cell + 1)));
    }

    [TestMethod]
    public void AnEnsembleOfThreeMatchesTorchSharp()
    {
        var options = Tiny(RecurrentCellType.Gru, 2);
        options.EnsembleSize = 3;
        options.Scaling = SeriesScaling.Log;
        AssertParity(Train(options, Series(70, level: 450, seed: 5)));
    }

    [TestMethod]
    [DataRow(ForecastIntervalKind.Quantile, SeriesScaling.Standard)]
    [DataRow(ForecastIntervalKind.Gaussian, SeriesScaling.Log)]
    public void MultivariateForecastersMatchTorchSharp(ForecastIntervalKind interval, SeriesScaling scaling)
    {
        var options = Tiny(RecurrentCellType.Lstm, 1);
        options.FeatureColumnNames = ["Load"];
        options.KnownFutureColumnNames = ["Phase"];
        options.IntervalKind = interval;
        options.Scaling = scaling;
        var model = Train(options, Series(70, level: 30, seed: 11));
        Assert.AreEqual(10 * 4, model.ModelSettings.WindowLength, "value, feature, covariate now and covariate a horizon later");
        AssertParity(model);
    }

    [TestMethod]
    public void TheGraphIsNamedAfterTheModelsColumnsAndCarriesItsSettings()
    {
        var model = Train(Tiny(RecurrentCellType.Gru, 1), Series(40, level: 10, seed: 2));
        using var session = new InferenceSession(ExportBytes(model));
        Assert.AreEqual("Window", session.InputMetadata.Keys.Single());
        CollectionAssert.AreEqual(new[] { "Forecast", "LowerBound", "UpperBound" }, session.OutputMetadata.Keys.ToArray());
        CollectionAssert.AreEqual(new[] { -1, 10 }, session.InputMetadata["Window"].Dimensions);
        CollectionAssert.AreEqual(new[] { -1, 4 }, session.OutputMetadata["Forecast"].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual("Forecasting", metadata["recurrent.kind"]);
        Assert.AreEqual("4", metadata["recurrent.output_size"]);
        Assert.AreEqual("1", metadata["recurrent.ensemble_size"]);
        var settings = System.Text.Json.JsonSerializer.Deserialize<ForecastModelSettings>(metadata["recurrent.settings"])!;
        Assert.AreEqual(model.ModelSettings.Scalers[0], settings.Scalers[0], "the scalings travel with the graph");

        var renamed = new RecurrentForecastOnnxExportOptions { WindowInputName = "x", ForecastOutputName = "y" };
        using var named = new InferenceSession(ExportBytes(model, renamed));
        Assert.AreEqual("x", named.InputMetadata.Keys.Single());
        CollectionAssert.AreEqual(new[] { "y", "LowerBound", "UpperBound" }, named.OutputMetadata.Keys.ToArray());
    }

    [TestMethod]
    public void AnUnbatchedGraphForecastsOneWindow()
    {
        var options = Tiny(RecurrentCellType.Lstm, 1);
        options.Scaling = SeriesScaling.Log;
        var model = Train(options, Series(40, level: 80, seed: 6));
        var window = SeriesWindowing.Create(SyntheticFrame(model.ModelSettings, 20, seed: 8), 10, 4)[^1].Inputs;
        using var session = new InferenceSession(ExportBytes(model, new RecurrentForecastOnnxExportOptions { BatchDimension = false }));
        CollectionAssert.AreEqual(new[] { 10 }, session.InputMetadata["Window"].Dimensions);
        CollectionAssert.AreEqual(new[] { 4 }, session.OutputMetadata["UpperBound"].Dimensions);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Window", new DenseTensor<float>(window, [window.Length]))]);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());
        var expected = model.Forecast(window);
        Assert.AreEqual(1, byName["Forecast"].Dimensions.Length, "one window in, [horizon] out");
        AssertClose(expected.Forecast, byName["Forecast"].ToArray(), "Forecast");
        AssertClose(expected.LowerBound, byName["LowerBound"].ToArray(), "LowerBound");
        AssertClose(expected.UpperBound, byName["UpperBound"].ToArray(), "UpperBound");
    }

    [TestMethod]
    public void BadNamesAndPipelinesWithoutAForecasterAreRejectedClearly()
    {
        var model = Train(Tiny(RecurrentCellType.Gru, 1), Series(40, level: 10, seed: 2));
        var clash = Assert.ThrowsExactly<ArgumentException>(() => ExportBytes(model, new RecurrentForecastOnnxExportOptions { ForecastOutputName = "Window" }));
        StringAssert.Contains(clash.Message, "must differ");
        Assert.ThrowsExactly<ArgumentException>(() => ExportBytes(model, new RecurrentForecastOnnxExportOptions { LowerBoundOutputName = " " }));
        var ml = new MLContext(seed: 1);
        var copy = ml.Transforms.CopyColumns("Copy", "Value").Fit(ml.Data.LoadFromEnumerable(Series(3, level: 1, seed: 1)));
        var missing = Assert.ThrowsExactly<ArgumentException>(() => RecurrentOnnxExporter.FindForecastingModel(copy));
        StringAssert.Contains(missing.Message, "no recurrent forecaster");
        Assert.AreSame(model, RecurrentOnnxExporter.FindForecastingModel(model));

        // A window of the wrong width is refused by ONNX Runtime against the graph's fixed dimension.
        using var session = new InferenceSession(ExportBytes(model));
        Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([NamedOnnxValue.CreateFromTensor("Window", new DenseTensor<float>(new float[9], [1, 9]))]).Dispose());
    }

    internal static RecurrentForecastingTransformer Train(RecurrentForecastingTrainerOptions options, List<Step> steps)
    {
        var ml = new MLContext(seed: 1);
        return ml.Forecasting.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(steps));
    }

    internal static byte[] ExportBytes(RecurrentForecastingTransformer model, RecurrentForecastOnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        RecurrentOnnxExporter.Export(model, stream, options);
        return stream.ToArray();
    }

    /// <summary>
    /// Every window of the model's own training series plus one forecasting past its end, scored by ONNX Runtime in
    /// one batch and by the TorchSharp forecaster; every forecast, lower and upper bound value is compared.
    /// </summary>
    private static void AssertParity(RecurrentForecastingTransformer model)
    {
        var settings = model.ModelSettings;
        int k = settings.KnownFutureColumnNames.Length;
        var frame = SyntheticFrame(settings, length: 40, seed: 3);
        var windows = SeriesWindowing.Create(frame, settings.Lookback, settings.Horizon).Select(w => w.Inputs).ToList();
        var future = Enumerable.Range(0, settings.Horizon * k).Select(i => (float)(i % 12)).ToArray();
        windows.Add(SeriesWindowing.CreateInput(frame, frame.Length, settings.Lookback, settings.Horizon, future));

        var expected = model.Forecast(windows);
        using var session = new InferenceSession(ExportBytes(model));
        var flat = windows.SelectMany(w => w).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(settings.WindowColumnName,
            new DenseTensor<float>(flat, [windows.Count, settings.WindowLength]))]);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
        double largest = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            int h = settings.Horizon;
            largest = Math.Max(largest, AssertClose(expected[i].Forecast, byName[settings.ForecastColumnName].AsSpan(i * h, h), $"window {i} Forecast"));
            largest = Math.Max(largest, AssertClose(expected[i].LowerBound, byName[settings.LowerBoundColumnName].AsSpan(i * h, h), $"window {i} LowerBound"));
            largest = Math.Max(largest, AssertClose(expected[i].UpperBound, byName[settings.UpperBoundColumnName].AsSpan(i * h, h), $"window {i} UpperBound"));
        }
        float magnitude = expected.SelectMany(r => r.Forecast).Max(Math.Abs);
        Console.WriteLine($"{windows.Count} windows, forecasts up to {magnitude:G4}: max |TorchSharp - ONNX Runtime| = {largest:G3}");
    }

    /// <summary>A series with the model's columns around its training level, drawn afresh (not windows it was trained on).</summary>
    internal static SeriesFrame SyntheticFrame(ForecastModelSettings settings, int length, int seed)
    {
        float level = (float)(settings.Scalers[0].Log ? Math.Exp(settings.Scalers[0].Offset) : settings.Scalers[0].Offset);
        var steps = Series(length, Math.Abs(level) + 1, seed);
        var features = settings.FeatureColumnNames.Select(n => KeyValuePair.Create(n, steps.Select(s => s.Load).ToArray())).ToArray();
        var known = settings.KnownFutureColumnNames.Select(n => KeyValuePair.Create(n, steps.Select(s => s.Phase).ToArray())).ToArray();
        return SeriesFrame.FromArrays(settings.ValueColumnName, steps.Select(s => s.Value).ToArray(), features, known);
    }

    /// <summary>Asserts every value within the tolerance (NaN only where NaN is expected); returns the largest absolute difference.</summary>
    internal static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        double largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]))
            {
                Assert.IsTrue(float.IsNaN(actual[i]), $"{what}, step {i}: TorchSharp NaN (no window), ONNX Runtime {actual[i]:R}");
                continue;
            }
            double difference = Math.Abs((double)expected[i] - actual[i]);
            largest = Math.Max(largest, difference);
            double bound = Tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.IsTrue(difference <= bound, $"{what}, step {i}: TorchSharp {expected[i]:R}, ONNX Runtime {actual[i]:R} (difference {difference:G3} > {bound:G3})");
        }
        return largest;
    }
}
