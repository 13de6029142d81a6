// A new user's console app, created with `dotnet new console` outside the repository by test/Consumer/run.sh, with
// the packages added from a folder feed. Only `using Microsoft.ML;` (and TorchSharp, for the raw call).
//   train <folder>:   raw TorchSharp first, then the README's pipeline on generated reviews; saves model.zip, the
//                     ONNX deployment onnx.zip and expected.txt (the score of each probe sentence) into <folder>.
//   predict <folder>: loads model.zip in this (second) process and checks the scores against expected.txt.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Onnx;
using TorchSharp;

string[] probes = ["a wonderful and moving film", "a dull and tedious mess", "not bad at all", "not good"];

if (args.Length != 2 || args[0] is not ("train" or "predict"))
{
    Console.Error.WriteLine("usage: TrainingApp (train|predict) <folder>");
    return 2;
}
string folder = args[1];

if (args[0] == "train")
{
    // The user's own TorchSharp code, before any type of the library is touched: the native bridge must already load
    // (repaired at build time on systems whose libstdc++ predates GCC 13).
    using (var scope = torch.NewDisposeScope())
    {
        float sum = torch.ones(2, 3).sum().item<float>();
        if (sum != 6f)
            throw new InvalidOperationException($"raw TorchSharp computed {sum}");
        Console.WriteLine("raw-torchsharp=ok");
    }

    var mlContext = new MLContext(seed: 1);
    var data = mlContext.Data.LoadFromEnumerable(Reviews());
    var pipeline = mlContext.Transforms.Text.TokenizeToSequence("Tokens", "Text")
        .Append(mlContext.BinaryClassification.Trainers.Recurrent(labelColumnName: "Label", featureColumnName: "Tokens",
            hiddenSize: 16, epochs: 8, batchSize: 16, learningRate: 1e-2));
    var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
    var model = pipeline.Fit(split.TrainSet);
    var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet));
    Console.WriteLine($"accuracy={metrics.Accuracy.ToString("F3", CultureInfo.InvariantCulture)}");
    if (metrics.Accuracy < 0.9)
        throw new InvalidOperationException($"the tiny classifier should separate the generated reviews, accuracy {metrics.Accuracy}");

    mlContext.Model.Save(model, data.Schema, Path.Combine(folder, "model.zip"));
    RecurrentOnnxDeployment.Save(mlContext, model, data.Schema, Path.Combine(folder, "model.onnx"), Path.Combine(folder, "onnx.zip"), sequenceLength: 16);
    using var engine = mlContext.Model.CreatePredictionEngine<Review, Prediction>(model);
    File.WriteAllLines(Path.Combine(folder, "expected.txt"),
        probes.Select(p => engine.Predict(new Review { Text = p }).Score.ToString("R", CultureInfo.InvariantCulture)));
    Console.WriteLine("saved");
    return 0;
}
else
{
    var mlContext = new MLContext();
    var model = mlContext.Model.Load(Path.Combine(folder, "model.zip"), out _);
    using var engine = mlContext.Model.CreatePredictionEngine<Review, Prediction>(model);
    string[] expected = File.ReadAllLines(Path.Combine(folder, "expected.txt"));
    for (int i = 0; i < probes.Length; i++)
    {
        string score = engine.Predict(new Review { Text = probes[i] }).Score.ToString("R", CultureInfo.InvariantCulture);
        if (score != expected[i])
            throw new InvalidOperationException($"'{probes[i]}': {score} in this process, {expected[i]} when trained");
    }
    Console.WriteLine("predictions-identical=true");
    return 0;
}

static IEnumerable<Review> Reviews()
{
    string[] good = ["wonderful", "moving", "great", "superb", "delightful"], bad = ["dull", "tedious", "awful", "boring", "clumsy"];
    var random = new Random(3);
    for (int i = 0; i < 240; i++)
    {
        bool positive = i % 2 == 0;
        var words = positive ? good : bad;
        yield return new Review { Label = positive, Text = $"a {words[random.Next(words.Length)]} and {words[random.Next(words.Length)]} film" };
    }
}

public sealed class Review
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
}

public sealed class Prediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}
