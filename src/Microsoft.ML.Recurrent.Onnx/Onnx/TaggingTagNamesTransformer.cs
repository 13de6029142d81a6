using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The last step of a tagger's ONNX deployment pipeline: turns the graph's tag indices (a vector of Int64, −1 past the
/// sentence) into the column the TorchSharp <c>SequenceTaggingTransformer</c> writes: a variable-length vector
/// of tag names with the <c>SequenceTaggingTransformer.TagSetAnnotation</c> annotation. Needs no TorchSharp.
/// </summary>
internal sealed class TaggingTagNamesTransformer : RecurrentTransformerBase, ILoadableTransformer<TaggingTagNamesTransformer>
{
    internal const string LoaderSignature = "RecurrentTagNames";
    private static readonly ComponentFormat Format = new("RNNTGNAM", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string InputColumnName, TaggerModelSettings Model);

    private readonly Settings _settings;

    internal TaggingTagNamesTransformer(IHostEnvironment environment, Settings settings)
        : base(environment, nameof(TaggingTagNamesTransformer))
    {
        ArgumentException.ThrowIfNullOrEmpty(settings.InputColumnName);
        settings.Model.Validate();
        _settings = settings;
    }

    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static TaggingTagNamesTransformer ILoadableTransformer<TaggingTagNamesTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(settings.InputColumnName) || settings.Model is null)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new TaggingTagNamesTransformer(env, settings);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapping
    {
        private readonly TaggingTagNamesTransformer _owner;
        private readonly DataViewSchema.Column _indices;

        public Mapper(TaggingTagNamesTransformer owner, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = owner;
            _indices = SchemaChecks.RequireColumn(inputSchema, "Tagging ONNX tag names", "tag index", owner._settings.InputColumnName,
                t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Int64, "a vector of Int64");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns() => [TaggingOutputColumns.Create(_owner._settings.Model)];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            bool active = activeOutput(0);
            return column => active && column == _indices.Index;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getIndices = input.GetGetter<VBuffer<long>>(_indices);
            var indices = default(VBuffer<long>);
            var tags = _owner._settings.Model.Tags;
            return (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                getIndices(ref indices);
                var dense = indices.DenseValues().TakeWhile(i => i != -1).ToArray();
                var editor = VBufferEditor.Create(ref value, dense.Length);
                for (int t = 0; t < dense.Length; t++)
                {
                    long index = dense[t];
                    if (index < 0 || index >= tags.Length)
                        throw new InvalidOperationException(
                            $"Column '{_indices.Name}', row {input.Position}, step {t}: tag index {index} is outside 0..{tags.Length - 1}.");
                    editor.Values[t] = tags[index].AsMemory();
                }
                value = editor.Commit();
            });
        }
    }
}
