using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

/// <summary>A tiny word corpus with strong next-word structure, and one small language model trained on it once per test run.</summary>
internal static class TinyCorpus
{
    public sealed class Line
    {
        public string Text { get; set; } = "";
        public string Prompt { get; set; } = "";
    }

    private static readonly string[] Subjects = ["the cat", "a dog", "the bird", "my friend"];
    private static readonly string[] Verbs = ["sees", "likes", "follows"];
    private static readonly string[] Objects = ["the red ball", "a small tree", "the old house"];

    public static List<Line> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new Line
        {
            Text = $"{Subjects[random.Next(Subjects.Length)]} {Verbs[random.Next(Verbs.Length)]} {Objects[random.Next(Objects.Length)]}",
            Prompt = Subjects[i % Subjects.Length],
        }).ToList();
    }

    public static LanguageModelTrainerOptions SmallOptions(TokenizeToSequenceTransformer tokenizer) => new()
    {
        Tokenizer = tokenizer,
        HiddenSize = 16,
        EmbeddingSize = 16,
        Layers = 1,
        Dropout = 0,
        SequenceLength = 8,
        BatchSize = 8,
        EvaluationBatchSize = 4,
        Epochs = 4,
        LearningRate = 0.02,
        Seed = 3,
        PromptColumnName = "Prompt",
        Generation = new GenerationOptions { MaximumTokens = 6, Seed = 11 },
    };

    private static readonly Lazy<(MLContext Ml, TokenizeToSequenceTransformer Tokenizer, LanguageModelTransformer Model, IDataView Data)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Generate(300, seed: 1));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(data);
        var model = ml.LanguageModeling().Trainers.Recurrent(SmallOptions(tokenizer)).Fit(tokenizer.Transform(data));
        return (ml, tokenizer, model, data);
    });

    /// <summary>A model trained once and shared (inference is thread-safe); do not dispose it.</summary>
    public static (MLContext Ml, TokenizeToSequenceTransformer Tokenizer, LanguageModelTransformer Model, IDataView Data) Model => Trained.Value;
}
