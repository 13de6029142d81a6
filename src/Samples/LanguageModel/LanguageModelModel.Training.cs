using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Samples.LanguageModel;

/// <summary>Training side of the language model, Model Builder style: the tokenizer, the trainer, training and evaluation.</summary>
public static partial class LanguageModelModel
{
    /// <summary>Tokenization and training settings of the sample.</summary>
    public sealed record Settings(TokenGranularity Granularity, int Epochs, TimeSpan? MaxTrainingTime, IProgress<TrainingProgress>? Progress)
    {
        /// <summary>True for a character-level model.</summary>
        public bool Characters => Granularity == TokenGranularity.Character;

        /// <summary>The network and optimiser. Default: <see cref="Network.ForGrammar"/> for the granularity.</summary>
        public Network? Net { get; init; }

        /// <summary>The network the trainer builds.</summary>
        public Network ChosenNetwork => Net ?? Network.ForGrammar(Characters);
    }

    /// <summary>
    /// The network and optimiser of a language model. <paramref name="Preset"/> names a recipe of the library that the
    /// other values come from (e.g. "ZarembaSmall" for <see cref="LanguageModelTrainerOptions.ZarembaSmall"/>), or is null.
    /// </summary>
    public sealed record Network(string? Preset, int Layers, int HiddenSize, int EmbeddingSize, double Dropout, int SequenceLength, int BatchSize,
        OptimizerKind Optimizer, double LearningRate)
    {
        /// <summary>Small enough for a default run of about a minute on two busy cores; the generated grammar needs no more.</summary>
        public static Network ForGrammar(bool characters) => characters
            ? new(null, Layers: 2, HiddenSize: 256, EmbeddingSize: 64, Dropout: 0.1, SequenceLength: 100, BatchSize: 32, OptimizerKind.Adam, 3e-3)
            : new(null, Layers: 1, HiddenSize: 64, EmbeddingSize: 32, Dropout: 0, SequenceLength: 35, BatchSize: 32, OptimizerKind.Adam, 3e-3);

        /// <summary>Training corpora of at least this many tokens start from <see cref="LanguageModelTrainerOptions.ZarembaSmall"/> (word level).</summary>
        public const long PresetTokens = 100_000;

        /// <summary>
        /// The network for a corpus of <paramref name="tokens"/> tokens, and its epochs. The rule, kept simple: a word-level
        /// corpus of <see cref="PresetTokens"/> tokens or more starts from the ZarembaSmall preset (2 × 200 LSTM, SGD; sized
        /// for Penn Treebank's 929,000 words, and its 13 epochs); a smaller one, or characters, gets the network sized for
        /// the generated grammar (which fits small corpora), for 20 epochs.
        /// </summary>
        public static (Network Network, int Epochs, string Reason) ForCorpus(bool characters, long tokens)
        {
            if (characters || tokens < PresetTokens)
            {
                string why = characters ? "characters" : string.Create(CultureInfo.InvariantCulture, $"fewer than {PresetTokens:N0} tokens");
                return (ForGrammar(characters), 20, $"{why}: the small network");
            }
            var preset = LanguageModelTrainerOptions.ZarembaSmall();
            return (new Network(nameof(LanguageModelTrainerOptions.ZarembaSmall), preset.Layers, preset.HiddenSize, preset.EmbeddingSize, preset.Dropout,
                preset.SequenceLength, preset.BatchSize, preset.Optimizer, preset.LearningRate), preset.Epochs,
                string.Create(CultureInfo.InvariantCulture, $"at least {PresetTokens:N0} tokens: the ZarembaSmall preset"));
        }

        /// <summary>Tokens the model will read in <paramref name="lines"/>: white-space-separated words (or characters), plus one end of line per line.</summary>
        public static long CountTokens(IEnumerable<string> lines, bool characters)
            => lines.Sum(line => (long)(characters ? line.Length : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length) + 1);

        /// <summary>The trainer options this network starts from: the preset's, or the library's defaults with these sizes.</summary>
        public LanguageModelTrainerOptions ToOptions()
        {
            var options = Preset switch
            {
                null => new LanguageModelTrainerOptions { GradientClipNorm = 1, EarlyStoppingPatience = 2 },
                nameof(LanguageModelTrainerOptions.ZarembaSmall) => LanguageModelTrainerOptions.ZarembaSmall(),
                _ => throw new ArgumentException($"Unknown language-model preset '{Preset}'."),
            };
            options.Layers = Layers;
            options.HiddenSize = HiddenSize;
            options.EmbeddingSize = EmbeddingSize;
            options.Dropout = Dropout;
            options.SequenceLength = SequenceLength;
            options.BatchSize = BatchSize;
            options.Optimizer = Optimizer;
            options.LearningRate = LearningRate;
            return options;
        }
    }

    /// <summary>A trained model: the fitted tokenizer and the network after it.</summary>
    public sealed record Trained(TokenizeToSequenceTransformer Tokenizer, LanguageModelTransformer Model)
    {
        /// <summary>Text (and Prompt) in, LogProbability (and Generated) out: what <see cref="Save"/> writes.</summary>
        public ITransformer Pipeline => Tokenizer.Append(Model);
    }

    /// <summary>Lines of text in <see cref="ModelInput.Text"/>; the prompt column stays empty during training.</summary>
    public static IDataView LoadLines(MLContext mlContext, IEnumerable<string> lines)
        => mlContext.Data.LoadFromEnumerable(lines.Select(l => new ModelInput { Text = l }));

    /// <summary>Text -> token ids with &lt;s&gt; … &lt;/s&gt; around each line: the trainer keeps &lt;/s&gt; as the end-of-line token of the stream.</summary>
    public static TokenizeToSequenceTransformer BuildTokenizer(MLContext mlContext, IDataView trainData, Settings settings)
        => mlContext.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens",
            InputColumnName = nameof(ModelInput.Text),
            Granularity = settings.Granularity,
            Lowercase = !settings.Characters,
            AddBeginEnd = true,
        }).Fit(trainData);

    /// <summary>The recurrent language model over the tokens; it also continues the Prompt column into Generated.</summary>
    public static LanguageModelTrainer BuildTrainer(MLContext mlContext, TokenizeToSequenceTransformer tokenizer, Settings settings)
    {
        var options = settings.ChosenNetwork.ToOptions();
        options.Tokenizer = tokenizer;
        options.Epochs = settings.Epochs;
        options.MaxTrainingTime = settings.MaxTrainingTime;
        options.Seed = 1;
        options.Progress = settings.Progress;
        options.PromptColumnName = nameof(ModelInput.Prompt);
        options.Generation = GenerationFor(settings, stopAtEndOfLine: true);
        return mlContext.LanguageModeling().Trainers.Recurrent(options);
    }

    /// <summary>Sampling settings: temperature 0.8, a fixed seed, up to a line's worth of tokens.</summary>
    public static GenerationOptions GenerationFor(Settings settings, bool stopAtEndOfLine) => new()
    {
        MaximumTokens = settings.Characters ? 300 : 60,
        Temperature = 0.8,
        Seed = 1,
        StopAtEndOfSequence = stopAtEndOfLine,
    };

    /// <summary>Fits the tokenizer and the model on <paramref name="trainData"/>, validating on <paramref name="validData"/>.</summary>
    public static Trained Train(MLContext mlContext, IDataView trainData, IDataView validData, Settings settings)
    {
        var tokenizer = BuildTokenizer(mlContext, trainData, settings);
        var model = BuildTrainer(mlContext, tokenizer, settings).Fit(tokenizer.Transform(trainData), tokenizer.Transform(validData));
        return new Trained(tokenizer, model);
    }

    /// <summary>Cross-entropy, perplexity, bits per token and top-1/top-5 accuracy on <paramref name="data"/>.</summary>
    public static LanguageModelMetrics Evaluate(MLContext mlContext, Trained trained, IDataView data)
        => mlContext.LanguageModeling().Evaluate(trained.Model, trained.Tokenizer.Transform(data), batchSize: 16);

    /// <summary>Saves tokenizer and model as one .zip at <see cref="ModelPath"/>.</summary>
    public static void Save(MLContext mlContext, Trained trained, IDataView trainData)
        => mlContext.Model.Save(trained.Pipeline, trainData.Schema, ModelPath);
}
