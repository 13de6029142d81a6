using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Recurrent.Onnx;
using Samples.Common;

namespace Samples.Onnx;

/// <summary>
/// <c>export-onnx</c>: writes the recurrent model of a
/// saved pipeline (sequence classifier or regressor, forecaster, tagger, language model) as ONNX and, unless told not to and
/// where the task has one, the ONNX deployment pipeline next to it (<c>PATH.onnx.zip</c>: the same pipeline with the
/// network scored by ONNX Runtime, loadable without TorchSharp).
/// </summary>
public static class ExportOnnxCommand
{
    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var model = VerbOptions.ExistingFile("--model", "The saved ML.NET pipeline .zip holding a recurrent model.", required: true);
        var output = VerbOptions.OutputPath("--out", "The ONNX file to write.", required: true, helpName: "PATH.onnx");
        var length = VerbOptions.Integer("--length", "Time steps the deployment pads token sequences to (sequence models), or the longest sentence it accepts (taggers).", 256);
        var noDeployment = VerbOptions.Flag("--no-deployment", "Write the .onnx file only, not the deployment pipeline PATH.onnx.zip.");
        var command = new Command("export-onnx", "Export the recurrent model of a saved pipeline to ONNX, with an ONNX deployment pipeline beside it.")
        {
            model, output, length, noDeployment,
        };
        command.SetAction(result => Run(result.GetRequiredValue(model)!.FullName, result.GetRequiredValue(output)!, result.GetValue(length), !result.GetValue(noDeployment)));
        return command;
    }

    private static int Run(string model, string output, int length, bool deployment)
    {
        var mlContext = new MLContext(seed: 1);
        var pipeline = mlContext.Model.Load(model, out var inputSchema);
        Console.WriteLine(OnnxOutputs.Write(mlContext, pipeline, inputSchema, output, deployment ? output + ".zip" : null, length));
        (pipeline as IDisposable)?.Dispose();
        return 0;
    }
}
