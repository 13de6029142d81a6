using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.LanguageModeling;

public sealed partial class LanguageModelTransformer
{
    /// <summary>Computes the log-probability and generated columns of one row at a time.</summary>
    private sealed class Mapper : RowMapping
    {
        private const string Component = "Recurrent language model";
        private readonly LanguageModelTransformer _model;
        private readonly DataViewSchema.Column? _tokens;
        private readonly DataViewSchema.Column? _prompt;
        private readonly DataViewSchema.DetachedColumn[] _outputs;

        public Mapper(LanguageModelTransformer model, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _model = model;
            var settings = model.Settings;
            var outputs = new List<DataViewSchema.DetachedColumn>();
            if (settings.LogProbabilityColumnName is { } logProbability)
            {
                _tokens = SchemaChecks.RequireColumn(inputSchema, Component, "token", settings.TokenColumnName,
                    t => RecurrentSequenceTransformer.IsValidFeatureType(t, usesTokens: true), "a vector of token ids (Int32, Int64, UInt32 or key)");
                outputs.Add(new(logProbability, NumberDataViewType.Single));
            }
            if (settings.PromptColumnName is { } prompt)
            {
                _prompt = SchemaChecks.RequireColumn(inputSchema, Component, "prompt", prompt, t => t is TextDataViewType, "a scalar text column");
                outputs.Add(new(settings.GeneratedColumnName, TextDataViewType.Instance));
            }
            _outputs = outputs.ToArray();
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns() => _outputs;

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            var needed = new HashSet<int>();
            for (int i = 0; i < _outputs.Length; i++)
            {
                if (activeOutput(i))
                    needed.Add(InputFor(i).Index);
            }
            return needed.Contains;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var column = InputFor(iinfo);
            if (IsLogProbability(iinfo))
            {
                var read = SequenceRowReader.Create(input, column, column.Name, featureSize: 0);
                return (ValueGetter<float>)((ref float value) =>
                {
                    var (tokens, _, count) = read();
                    value = _model.LogProbability(tokens.AsSpan(0, count));
                });
            }
            var getPrompt = input.GetGetter<ReadOnlyMemory<char>>(column);
            var prompt = default(ReadOnlyMemory<char>);
            var generation = _model.Settings.Generation;
            return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
            {
                getPrompt(ref prompt);
                // A row's text is a function of its prompt (and the model): its seed comes from the prompt, not from
                // the row's position or from earlier rows, unless the options ask for fresh randomness.
                var options = generation.RandomEachCall ? generation
                    : generation with { Seed = GenerationOptions.PromptSeed(generation.Seed ?? _model.Settings.SamplingSeed, prompt.Span) };
                value = _model.Generate(prompt.ToString(), options).AsMemory();
            });
        }

        // The log-probability column, when present, is always the first output.
        private bool IsLogProbability(int output) => output == 0 && _tokens is not null;

        private DataViewSchema.Column InputFor(int output) => IsLogProbability(output) ? _tokens!.Value : _prompt!.Value;
    }
}
