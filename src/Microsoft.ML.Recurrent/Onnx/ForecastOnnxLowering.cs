using Google.Protobuf;
using Microsoft.ML.Recurrent.Forecasting;
using DataType = global::Onnx.TensorProto.Types.DataType;
using G = Microsoft.ML.Recurrent.Onnx.OnnxGraphBuilder;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The arithmetic a <see cref="RecurrentForecastingTransformer"/> does around its networks, as ONNX operators: the
/// scaling of a raw window (<see cref="ForecastModelSettings.ScaleWindow"/>) before them and the decoding of the
/// averaged outputs (<see cref="ForecastModelSettings.Decode"/>) after them.
/// </summary>
/// <remarks>
/// The TorchSharp path scales and un-scales in double precision and rounds to float once (the scalers' offsets and
/// scales are doubles); the graph does the same, with double initializers and Cast, rather than rounding the offsets
/// to float: for a series around 500 that alone would move a forecast by several units in the last place.
/// Everything the C# code does in float (the level subtraction, the quantile sort, the Gaussian bounds) is float here.
/// </remarks>
internal static class ForecastOnnxLowering
{
    /// <summary>The scaled network input and each window's level.</summary>
    /// <param name="TimeMajor">[lookback, batch, step width] float, what the encoder reads.</param>
    /// <param name="Level">[batch, 1] float: the mean scaled value of each window, or null without window normalization.</param>
    /// <param name="SequenceLengths">[batch] int32, every entry the lookback (windows are always full).</param>
    internal sealed record ScaledWindow(string TimeMajor, string? Level, string SequenceLengths);

    /// <summary>
    /// Reads the flat [batch, lookback × width] raw windows (or one unbatched [lookback × width] window) and scales
    /// them as <see cref="ForecastModelSettings.ScaleWindow"/> does.
    /// </summary>
    public static ScaledWindow Scale(G g, ForecastModelSettings settings, string window)
    {
        int lookback = settings.Lookback, width = settings.StepWidth;
        var positions = ScalerOfPosition(settings);
        string steps = g.Node("Reshape", [window, g.Constant("window_shape", [-1L, lookback, width], 3)]);
        string x = g.Node("Cast", [steps], G.Int("to", (long)DataType.Double));
        if (positions.Any(s => s.Log))
        {
            // Where picks per position; the logarithm of a non-log position is computed but never selected.
            var mask = positions.Select(s => s.Log ? 1 : 0).ToArray();
            string isLog = g.Node("Cast", [g.Constant("log_positions", mask, width)], G.Int("to", (long)DataType.Bool));
            x = g.Node("Where", [isLog, g.Node("Log", [x]), x]);
        }
        string offsets = DoubleConstant(g, "scaler_offsets", positions.Select(s => s.Offset).ToArray(), width);
        string scales = DoubleConstant(g, "scaler_scales", positions.Select(s => s.Scale).ToArray(), width);
        string scaled = g.Node("Cast", [g.Node("Div", [g.Node("Sub", [x, offsets]), scales])], G.Int("to", (long)DataType.Float));

        string? level = null;
        if (settings.WindowNormalization)
        {
            // The level is summed in double over the float scaled values and divided by the lookback, then rounded to float.
            string values = g.Node("Gather", [scaled, g.Constant("value_position", [0L])], G.Int("axis", 2)); // scalar index: [batch, lookback]
            string sum = g.Node("ReduceSum", [g.Node("Cast", [values], G.Int("to", (long)DataType.Double)), g.Constant("axes_1", [1L], 1)],
                G.Int("keepdims", 0));
            string mean = g.Node("Cast", [g.Node("Div", [sum, DoubleConstant(g, "lookback", [lookback])])], G.Int("to", (long)DataType.Float));
            level = g.Node("Unsqueeze", [mean, g.Constant("axes_1", [1L], 1)]); // [batch, 1]
            // Only the value position loses the level: level × [1, 0, ..., 0] subtracts exactly level there and 0 elsewhere.
            var valueOnly = new float[width];
            valueOnly[0] = 1;
            string perPosition = g.Node("Mul", [g.Node("Unsqueeze", [level, g.Constant("axes_2", [2L], 1)]), g.Constant("value_only", valueOnly, width)]);
            scaled = g.Node("Sub", [scaled, perPosition]);
        }

        string timeMajor = g.Node("Transpose", [scaled], G.Ints("perm", 1, 0, 2));
        // Every window is full: one int32 length per row, all equal to the lookback.
        // (The batch size is read after the reshape, so that an unbatched [lookback × width] input counts as one row.)
        string batch = g.Node("Slice", [g.Node("Shape", [steps]), g.Constant("slice_start", [0L], 1), g.Constant("slice_end", [1L], 1)]);
        string lengths = g.Node("Expand", [g.Constant("lookback_length", [lookback], 1), batch]);
        return new ScaledWindow(timeMajor, level, lengths);
    }

    /// <summary>
    /// Decodes averaged [batch, horizon × outputs per step] network outputs into forecast, lower and upper bound,
    /// each [batch, horizon] float in original units, as <see cref="ForecastModelSettings.Decode"/> does.
    /// </summary>
    public static (string Forecast, string Lower, string Upper) Decode(G g, ForecastModelSettings settings, string averaged, string? level)
    {
        int perStep = settings.OutputsPerStep;
        string outputs = g.Node("Reshape", [averaged, g.Constant("output_shape", [-1L, settings.Horizon, perStep], 3)]);
        string Part(int index) => g.Node("Gather", [outputs, g.Constant($"output_part_{index}", [(long)index])], G.Int("axis", 2)); // scalar index: [batch, horizon]

        string lo, mid, hi;
        if (settings.IntervalKind == ForecastIntervalKind.Quantile)
        {
            // Sorting three values: the minimum, the median max(min(a, b), min(max(a, b), c)) and the maximum, all exact.
            string a = Part(0), b = Part(1), c = Part(2);
            lo = g.Node("Min", [a, b, c]);
            hi = g.Node("Max", [a, b, c]);
            mid = g.Node("Max", [g.Node("Min", [a, b]), g.Node("Min", [g.Node("Max", [a, b]), c])]);
        }
        else
        {
            string mean = Part(0);
            string sigma = g.Node("Exp", [g.Node("Clip", [Part(1), g.Constant("log_sigma_min", [-10f]), g.Constant("log_sigma_max", [10f])])]);
            float z = (float)ForecastModelSettings.NormalQuantile((1 + settings.ConfidenceLevel) / 2);
            string spread = g.Node("Mul", [g.Constant("z", [z]), sigma]);
            (lo, mid, hi) = (g.Node("Sub", [mean, spread]), mean, g.Node("Add", [mean, spread]));
        }

        var scaler = settings.Scalers[0];
        string scale = DoubleConstant(g, "value_scale", [scaler.Scale]);
        string offset = DoubleConstant(g, "value_offset", [scaler.Offset]);
        string Inverse(string scaled)
        {
            string withLevel = level is null ? scaled : g.Node("Add", [scaled, level]);
            string v = g.Node("Add", [g.Node("Mul", [g.Node("Cast", [withLevel], G.Int("to", (long)DataType.Double)), scale]), offset]);
            if (scaler.Log)
                v = g.Node("Exp", [v]);
            return g.Node("Cast", [v], G.Int("to", (long)DataType.Float));
        }
        return (Inverse(mid), Inverse(lo), Inverse(hi));
    }

    /// <summary>
    /// The scaler of each position of a window step (see <see cref="Forecasting.ForecastModelSettings.ScaleWindow"/>):
    /// the value, each feature, each known-future covariate at the step and the same covariates horizon steps later.
    /// </summary>
    private static IReadOnlyList<TimeSeries.SeriesScaler> ScalerOfPosition(ForecastModelSettings settings)
    {
        int e = settings.FeatureColumnNames.Length, k = settings.KnownFutureColumnNames.Length;
        if (settings.Scalers.Length != 1 + e + k)
            throw new InvalidOperationException($"The forecaster has {settings.Scalers.Length} scalers for 1 value, {e} feature and {k} known-future columns.");
        var result = new List<TimeSeries.SeriesScaler> { settings.Scalers[0] };
        for (int f = 0; f < e; f++)
            result.Add(settings.Scalers[1 + f]);
        for (int c = 0; c < k; c++)
            result.Add(settings.Scalers[1 + e + c]);
        for (int c = 0; c < k; c++)
            result.Add(settings.Scalers[1 + e + c]);
        return result;
    }

    /// <summary>A float64 initializer (the shared builder writes float, int32 and int64 ones only).</summary>
    private static string DoubleConstant(G g, string hint, double[] values, params long[] shape)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill the shape [{string.Join(", ", shape)}].");
        var tensor = new global::Onnx.TensorProto { Name = g.Unique(hint), DataType = (int)DataType.Double };
        tensor.Dims.AddRange(shape);
        // Little-endian raw bytes, as the builder's own constants (the exporter checks the machine's byte order).
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        g.Graph.Initializer.Add(tensor);
        return tensor.Name;
    }
}
