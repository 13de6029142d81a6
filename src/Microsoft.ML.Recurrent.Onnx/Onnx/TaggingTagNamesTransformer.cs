using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(TaggingTagNamesTransformer), null, typeof(SignatureLoadModel), "Tagging ONNX Tag Names", TaggingTagNamesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(TaggingTagNamesTransformer), null, typeof(SignatureLoadRowMapper), "Tagging ONNX Tag Names", TaggingTagNamesTransformer.LoaderSignature)]

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The last step of a tagger's ONNX deployment pipeline: turns the graph's tag indices (a vector of Int64, −1 past the
/// sentence) into the column the TorchSharp <c>SequenceTaggingTransformer</c> writes: a variable-length vector
/// of tag names with the <c>SequenceTaggingTransformer.TagSetAnnotation</c> annotation. Needs no TorchSharp.
/// </summary>
internal sealed class TaggingTagNamesTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "RecurrentTagNames";
    private static readonly ComponentFormat Format = new("RNNTGNAM", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string InputColumnName, TaggerModelSettings Model);

    private readonly Settings _settings;

    internal TaggingTagNamesTransformer(IHostEnvironment environment, Settings settings)
        : base(environment.Register(nameof(TaggingTagNamesTransformer)))
    {
        ArgumentException.ThrowIfNullOrEmpty(settings.InputColumnName);
        settings.Model.Validate();
        _settings = settings;
    }

    /// <inheritdoc />
    protected override void SaveModel(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    private static TaggingTagNamesTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Format.BeginLoad(ctx);
        var settings = ModelStreams.LoadJson<Settings>(ctx, "Settings", LoaderSignature);
        if (string.IsNullOrEmpty(settings.InputColumnName) || settings.Model is null)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new TaggingTagNamesTransformer(env, settings);
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    /// <inheritdoc />
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly TaggingTagNamesTransformer _owner;
        private readonly DataViewSchema.Column _indices;

        public Mapper(TaggingTagNamesTransformer owner, DataViewSchema inputSchema)
            : base(owner.Host.Register(nameof(Mapper)), inputSchema, owner)
        {
            _owner = owner;
            _indices = SchemaChecks.RequireColumn(inputSchema, "Tagging ONNX tag names", "tag index", owner._settings.InputColumnName,
                t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Int64, "a vector of Int64");
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => [TaggingOutputColumns.Create(_owner._settings.Model)];

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool active = activeOutput(0);
            return column => active && column == _indices.Index;
        }

        protected override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
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
