using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The first step of a tagger's ONNX deployment pipeline: turns a token column (text, or keys with text values) into
/// the exported graph's features input, a fixed-size Int32 vector of SequenceLength × (2 + MaxWordCharacters) values,
/// with the tagger's own vocabularies. Needs no TorchSharp.
/// </summary>
/// <remarks>
/// A sentence longer than SequenceLength is rejected, naming the row: the TorchSharp tagger reads it whole and must
/// return one tag per token, so cutting it would silently misalign the tags with the tokens.
/// </remarks>
internal sealed class TaggingFeaturesTransformer : RecurrentTransformerBase, ILoadableTransformer<TaggingFeaturesTransformer>
{
    internal const string LoaderSignature = "RecurrentTagFeatures";
    private static readonly ComponentFormat Format = new("RNNTGFEA", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string InputColumnName, string OutputColumnName, int SequenceLength, TaggerModelSettings Model);

    private readonly Settings _settings;
    private readonly SequenceTaggingOnnxFeatures _features;

    internal TaggingFeaturesTransformer(IHostEnvironment environment, Settings settings)
        : base(environment, nameof(TaggingFeaturesTransformer))
    {
        ArgumentException.ThrowIfNullOrEmpty(settings.InputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(settings.OutputColumnName);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.SequenceLength, 1);
        _settings = settings;
        _features = new SequenceTaggingOnnxFeatures(settings.Model);
    }

    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static TaggingFeaturesTransformer ILoadableTransformer<TaggingFeaturesTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(settings.InputColumnName) || string.IsNullOrEmpty(settings.OutputColumnName) || settings.SequenceLength < 1 || settings.Model is null)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new TaggingFeaturesTransformer(env, settings);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapping
    {
        private readonly TaggingFeaturesTransformer _owner;
        private readonly DataViewSchema.Column _tokens;

        public Mapper(TaggingFeaturesTransformer owner, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = owner;
            _tokens = SchemaChecks.RequireColumn(inputSchema, "Tagging ONNX features", "token", owner._settings.InputColumnName,
                TextVectorReader.IsValid, TextVectorReader.Expected);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
            => [new(_owner._settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int32, _owner._settings.SequenceLength * _owner._features.StepSize))];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            bool active = activeOutput(0);
            return column => active && column == _tokens.Index;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var read = TextVectorReader.Create(input, _tokens);
            int length = _owner._settings.SequenceLength;
            return (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) =>
            {
                var tokens = read();
                if (tokens.Length > length)
                    throw new InvalidOperationException(
                        $"Column '{_tokens.Name}', row {input.Position}: {tokens.Length} tokens, more than the {length} the ONNX tagging pipeline was built for. " +
                        "Build the deployment with a larger sequenceLength (the tags must stay aligned with the tokens, so nothing is cut).");
                var encoded = _owner._features.Encode([tokens], length);
                var editor = VBufferEditor.Create(ref value, encoded.Length);
                encoded.CopyTo(editor.Values);
                value = editor.Commit();
            });
        }
    }
}
