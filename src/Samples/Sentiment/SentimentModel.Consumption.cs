using Microsoft.ML;
using Microsoft.ML.Data;

namespace Samples.Sentiment;

/// <summary>
/// Consumption side of the sentiment model, in the style Model Builder generates: input and output classes, a lazily
/// created PredictionEngine over the saved .zip, and <see cref="Predict"/>.
/// </summary>
public static partial class SentimentModel
{
    /// <summary>One review to classify (and its label, when known).</summary>
    public sealed class ModelInput
    {
        /// <summary>The review text.</summary>
        public string Text { get; set; } = "";

        /// <summary>True for a positive review.</summary>
        public bool Label { get; set; }
    }

    /// <summary>What the model says about a review.</summary>
    public sealed class ModelOutput
    {
        /// <summary>True when the model thinks the review is positive.</summary>
        public bool PredictedLabel { get; set; }

        /// <summary>Probability that the review is positive.</summary>
        public float Probability { get; set; }

        /// <summary>The raw score (log-odds).</summary>
        public float Score { get; set; }
    }

    /// <summary>Where the trained model is saved and loaded from.</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath("sentiment-model.zip");

    private static Lazy<PredictionEngine<ModelInput, ModelOutput>> _engine = new(CreatePredictEngine);

    /// <summary>Classifies one review with the model saved at <see cref="ModelPath"/>.</summary>
    public static ModelOutput Predict(ModelInput input) => _engine.Value.Predict(input);

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
