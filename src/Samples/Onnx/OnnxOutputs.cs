using Microsoft.ML;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;

namespace Samples.Onnx;

/// <summary>
/// Writes the ONNX form of whichever recurrent model a pipeline holds, for <c>export-onnx</c> and for the
/// <c>--onnx</c> option of the task commands.
/// </summary>
public static class OnnxOutputs
{
    /// <summary>
    /// Writes <paramref name="onnxPath"/> and, when <paramref name="zipPath"/> is given and the task has one, the
    /// ONNX deployment pipeline (the same pipeline with the network scored by ONNX Runtime, loadable without
    /// TorchSharp). Returns what was written, for the console.
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="pipeline">A fitted pipeline holding one recurrent model.</param>
    /// <param name="inputSchema">The schema the pipeline reads.</param>
    /// <param name="onnxPath">The .onnx file to write.</param>
    /// <param name="zipPath">The deployment .zip to write, or null for the .onnx file alone.</param>
    /// <param name="sequenceLength">Time steps the deployment pads token sequences to (sequence models), or the longest sentence it accepts (taggers).</param>
    public static string Write(MLContext mlContext, ITransformer pipeline, DataViewSchema inputSchema, string onnxPath, string? zipPath, int sequenceLength = 256)
    {
        var models = Flatten(pipeline).ToList();
        if (models.OfType<RecurrentSequenceTransformer>().Any())
        {
            if (zipPath is null)
            {
                RecurrentOnnxExporter.Export(RecurrentOnnxExporter.FindRecurrentModel(pipeline), onnxPath);
                return $"wrote {onnxPath} (symbolic batch and time dimensions)";
            }
            // The deployment pipeline feeds fixed-length vectors, so its ONNX file has a fixed time dimension.
            RecurrentOnnxDeployment.Save(mlContext, pipeline, inputSchema, onnxPath, zipPath, sequenceLength);
            return $"wrote {onnxPath} (time steps fixed at {sequenceLength}) and the ONNX deployment pipeline {zipPath}";
        }
        if (models.OfType<RecurrentForecastingTransformer>().Any())
        {
            if (zipPath is null)
            {
                RecurrentOnnxExporter.Export(RecurrentOnnxExporter.FindForecastingModel(pipeline), onnxPath);
                return $"wrote {onnxPath} (input Window [batch, lookback × step width]; outputs Forecast, LowerBound, UpperBound)";
            }
            ForecastingOnnxDeployment.Save(mlContext, pipeline, inputSchema, onnxPath, zipPath);
            return $"wrote {onnxPath} and the ONNX deployment pipeline {zipPath} (input: the series, one row per step)";
        }
        if (models.OfType<SequenceTaggingTransformer>().Any())
        {
            if (zipPath is null)
            {
                RecurrentOnnxExporter.Export(RecurrentOnnxExporter.FindTaggingModel(pipeline), onnxPath);
                return $"wrote {onnxPath} (input features [batch, time, ids per token]; outputs scores and tags)";
            }
            // Tags stay one per token, so the deployment refuses longer sentences instead of truncating them.
            SequenceTaggingOnnxDeployment.Save(mlContext, pipeline, inputSchema, onnxPath, zipPath, sequenceLength);
            return $"wrote {onnxPath} (sentences of up to {sequenceLength} tokens) and the ONNX deployment pipeline {zipPath}";
        }
        if (models.OfType<LanguageModelTransformer>().Any())
        {
            // Generation is a loop around the graph (state in, state out), not a row-to-row pipeline.
            RecurrentOnnxExporter.Export(RecurrentOnnxExporter.FindLanguageModel(pipeline), onnxPath);
            return $"wrote {onnxPath} (tokens and state in, logits and state out; a language model has no deployment pipeline: see docs/onnx.md for the generation loop)";
        }
        throw new ArgumentException("The pipeline holds no recurrent model that exports to ONNX (sequence classifier or regressor, forecaster, tagger, language model).");
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
        => model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    /// <summary>The .onnx path that goes with a deployment .zip path given to <c>--onnx</c>.</summary>
    /// <summary>
    /// The deployment .zip for the <c>--onnx</c> PATH a user gave: PATH itself, except that a PATH ending in .onnx names
    /// the ONNX file, so the deployment goes beside it with .zip instead (writing it at PATH overwrote the ONNX file).
    /// </summary>
    public static string DeploymentPathFor(string given)
        => given.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? given[..^".onnx".Length] + ".zip" : given;

    /// <summary>The ONNX file for the <c>--onnx</c> PATH a user gave: PATH.onnx beside PATH.zip, or PATH itself when it ends in .onnx.</summary>
    public static string OnnxPathFor(string zipPath)
    {
        string withoutZip = zipPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? zipPath[..^4] : zipPath;
        return withoutZip.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? withoutZip : withoutZip + ".onnx";
    }
}
