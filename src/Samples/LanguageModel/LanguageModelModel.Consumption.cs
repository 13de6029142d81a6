using Microsoft.ML;

namespace Samples.LanguageModel;

/// <summary>
/// Consumption side of the language model, in the style Model Builder generates: input and output classes, a lazily
/// created PredictionEngine over the saved .zip, <see cref="Predict"/> and <see cref="Generate"/>.
/// </summary>
public static partial class LanguageModelModel
{
    /// <summary>A line to score and a prompt to continue.</summary>
    public sealed class ModelInput
    {
        /// <summary>The text whose log-probability is computed.</summary>
        public string Text { get; set; } = "";

        /// <summary>The text the model continues into <see cref="ModelOutput.Generated"/>.</summary>
        public string Prompt { get; set; } = "";
    }

    /// <summary>What the model says about a line and a prompt.</summary>
    public sealed class ModelOutput
    {
        /// <summary>Natural-log probability of <see cref="ModelInput.Text"/> (its tokens after &lt;s&gt;).</summary>
        public float LogProbability { get; set; }

        /// <summary>The sampled continuation of <see cref="ModelInput.Prompt"/>, up to the end of the line.</summary>
        public string Generated { get; set; } = "";
    }

    /// <summary>Where the trained model is saved and loaded from.</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath("language-model.zip");

    private static Lazy<PredictionEngine<ModelInput, ModelOutput>> _engine = new(CreatePredictEngine);

    /// <summary>Scores <see cref="ModelInput.Text"/> and continues <see cref="ModelInput.Prompt"/> with the model at <see cref="ModelPath"/>.</summary>
    public static ModelOutput Predict(ModelInput input) => _engine.Value.Predict(input);

    /// <summary>Continues <paramref name="prompt"/> (the continuation only, without the prompt).</summary>
    public static string Generate(string prompt) => Predict(new ModelInput { Text = prompt, Prompt = prompt }).Generated;

    /// <summary>Forgets the loaded model, so the next <see cref="Predict"/> loads <see cref="ModelPath"/> again.</summary>
    public static void Reset() => _engine = new Lazy<PredictionEngine<ModelInput, ModelOutput>>(CreatePredictEngine);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        // A fresh MLContext: nothing from training is reused, as in another process.
        var mlContext = new MLContext();
        ITransformer model = mlContext.Model.Load(ModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }
}
