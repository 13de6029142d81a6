using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Tagging;

public sealed partial class SequenceTaggingTransformer
{
    /// <summary>Computes the predicted-tags column one row at a time.</summary>
    private sealed class Mapper : RowMapping
    {
        private readonly SequenceTaggingTransformer _model;
        private readonly DataViewSchema.Column _tokens;

        public Mapper(SequenceTaggingTransformer model, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _model = model;
            _tokens = SchemaChecks.RequireColumn(inputSchema, "Sequence tagging model", "token", model.Settings.TokenColumnName,
                TextVectorReader.IsValid, TextVectorReader.Expected);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns() => [OutputColumn(_model.Settings)];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            bool active = activeOutput(0);
            return column => active && column == _tokens.Index;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var read = TextVectorReader.Create(input, _tokens);
            long position = -1;
            string[] tags = [];
            return (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                // Each getter belongs to one cursor (one thread); the prediction is cached per row.
                if (position != input.Position || position < 0)
                {
                    tags = _model.Predict(read());
                    position = input.Position;
                }
                var editor = VBufferEditor.Create(ref value, tags.Length);
                for (int i = 0; i < tags.Length; i++)
                    editor.Values[i] = tags[i].AsMemory();
                value = editor.Commit();
            });
        }
    }

    internal static DataViewSchema.DetachedColumn OutputColumn(TaggerModelSettings settings) => TaggingOutputColumns.Create(settings);
}
