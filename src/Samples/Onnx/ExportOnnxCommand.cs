using Microsoft.ML;
using Microsoft.ML.Recurrent.Onnx;
using Samples.Common;

namespace Samples.Onnx;

/// <summary>
/// <c>export-onnx --model PATH.zip --out PATH.onnx [--length T] [--no-deployment]</c>: writes the recurrent model of a
/// saved pipeline (sequence classifier or regressor, forecaster, tagger, language model) as ONNX and, unless told not to and
/// where the task has one, the ONNX deployment pipeline next to it (<c>PATH.onnx.zip</c>: the same pipeline with the
/// network scored by ONNX Runtime, loadable without TorchSharp).
/// </summary>
public static class ExportOnnxCommand
{
    /// <summary>Command-line synopsis.</summary>
    public const string Usage = "export-onnx --model PATH.zip --out PATH.onnx [--length T] [--no-deployment]";

    public static int Run(string[] args)
    {
        var options = new CommandLine(args, flags: ["no-deployment"]);
        string model = options.String("model") ?? throw new ArgumentException("export-onnx needs --model PATH.zip (a saved ML.NET pipeline).");
        string output = options.String("out") ?? throw new ArgumentException("export-onnx needs --out PATH.onnx.");
        int length = options.Int("length", 256);
        bool deployment = !options.Flag("no-deployment");
        options.RejectUnknown();
        if (!File.Exists(model))
            throw new FileNotFoundException($"Model file not found: {model}", model);
        if (length < 1)
            throw new ArgumentException($"--length must be at least 1; got {length}.");

        var mlContext = new MLContext(seed: 1);
        var pipeline = mlContext.Model.Load(model, out var inputSchema);
        Console.WriteLine(OnnxOutputs.Write(mlContext, pipeline, inputSchema, output, deployment ? output + ".zip" : null, length));
        (pipeline as IDisposable)?.Dispose();
        return 0;
    }
}
