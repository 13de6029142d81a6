// An application that only scores an ONNX deployment, created with `dotnet new console` by test/Consumer/run.sh and
// referencing only Microsoft.ML.Recurrent.Onnx: no TorchSharp, no LibTorch in its dependency graph.
//   OnnxApp <folder>: loads <folder>/onnx.zip, scores the probe sentences and prints them; checks that nothing of
//                     TorchSharp was loaded.
using System.Globalization;
using Microsoft.ML;

string[] probes = ["a wonderful and moving film", "a dull and tedious mess", "not bad at all", "not good"];
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: OnnxApp <folder>");
    return 2;
}

var mlContext = new MLContext();
var model = mlContext.Model.Load(Path.Combine(args[0], "onnx.zip"), out _);
using var engine = mlContext.Model.CreatePredictionEngine<Review, Prediction>(model);
string[] expected = File.ReadAllLines(Path.Combine(args[0], "expected.txt"));
for (int i = 0; i < probes.Length; i++)
{
    float score = engine.Predict(new Review { Text = probes[i] }).Score;
    float reference = float.Parse(expected[i], CultureInfo.InvariantCulture);
    if (Math.Abs(score - reference) > 1e-4f)
        throw new InvalidOperationException($"'{probes[i]}': ONNX score {score}, TorchSharp score {reference}");
}
if (AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true))
    throw new InvalidOperationException("TorchSharp was loaded by an ONNX-only application");
Console.WriteLine("onnx-scores-match=true");
return 0;

public sealed class Review
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
}

public sealed class Prediction
{
    public float Score { get; set; }
}
