using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// One run, both paths on the same trained pipeline: PredictionEngine latency (p50, p99 over single predictions)
/// and batch throughput (Transform over all rows, reading every Score), for the TorchSharp transformer and for its
/// ONNX deployment pipeline; prints the figures and the TorchSharp / ONNX ratios.
/// </summary>
public static class OnnxVsTorchBenchmark
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    public static int Run(string[] args)
    {
        int rows = Option(args, "--rows", 1000), hidden = Option(args, "--hidden", 64), length = Option(args, "--length", 32);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Generate(rows, length, seed: 1));
        var options = new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = "Tokens", HiddenSize = hidden, EmbeddingSize = 32, Epochs = 1, BatchSize = 32,
        };
        var torchModel = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(data);
        string folder = Directory.CreateTempSubdirectory("onnx-bench").FullName;
        var onnxModel = RecurrentOnnxDeployment.Create(ml, torchModel, data.Schema, Path.Combine(folder, "model.onnx"), sequenceLength: length);

        var samples = ml.Data.CreateEnumerable<Row>(data, reuseRowObject: false).Take(300).ToList();
        // Throughput first: disposing a PredictionEngine disposes the model's disposable transformers.
        double torchRate = Throughput(torchModel, data), onnxRate = Throughput(onnxModel, data);
        var (torchP50, torchP99) = Latency(ml, torchModel, samples);
        var (onnxP50, onnxP99) = Latency(ml, onnxModel, samples);

        Console.WriteLine($"bidirectional LSTM, hidden {hidden}, embedding 32, {rows} rows of up to {length} tokens, {Environment.ProcessorCount} cores");
        Console.WriteLine("path        p50 (us)  p99 (us)  batch (rows/s)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TorchSharp  {torchP50,8:F0}  {torchP99,8:F0}  {torchRate,14:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ONNX        {onnxP50,8:F0}  {onnxP99,8:F0}  {onnxRate,14:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio TorchSharp/ONNX: p50 {torchP50 / onnxP50:F2}x, p99 {torchP99 / onnxP99:F2}x, throughput ONNX/TorchSharp {onnxRate / torchRate:F2}x"));
        return 0;
    }

    private static (double P50, double P99) Latency(MLContext ml, ITransformer model, List<Row> samples)
    {
        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        foreach (var row in samples.Take(30))
            engine.Predict(row); // warm-up: first calls load kernels and allocate buffers
        var micros = new List<double>(samples.Count);
        foreach (var row in samples)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(row);
            micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        micros.Sort();
        return (micros[micros.Count / 2], micros[Math.Min(micros.Count - 1, (int)(micros.Count * 0.99))]);
    }

    private static double Throughput(ITransformer model, IDataView data)
    {
        _ = model.Transform(data).GetColumn<float>("Score").Take(50).Count(); // warm-up
        long start = Stopwatch.GetTimestamp();
        int count = model.Transform(data).GetColumn<float>("Score").Count();
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static List<Row> Generate(int count, int maxLength, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var words = Enumerable.Range(0, random.Next(3, maxLength - 1)).Select(_ => $"w{random.Next(7, 200)}").ToList();
            bool label = i % 2 == 0;
            int first = random.Next(words.Count);
            words.Insert(first, label ? "w5" : "w6");
            words.Insert(random.Next(first + 1, words.Count + 1), label ? "w6" : "w5");
            return new Row { Text = string.Join(' ', words), Label = label };
        }).ToList();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
