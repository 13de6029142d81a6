using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Seq2Seq;

public sealed partial class Seq2SeqTransformer
{
    /// <summary>Decodes the row under the cursor once, however many of the output columns ask for it.</summary>
    private sealed class Mapper : RowPredictionMapping<Seq2SeqPrediction>
    {
        private readonly Seq2SeqTransformer _model;
        private readonly DataViewSchema.Column _source;

        public Mapper(Seq2SeqTransformer model, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _model = model;
            _source = SchemaChecks.RequireColumn(inputSchema, "Sequence-to-sequence model", "source", model.Settings.SourceColumnName,
                t => RecurrentSequenceTransformer.IsValidFeatureType(t, usesTokens: true), "a vector of token ids (Int32, Int64, UInt32 or key)");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
        {
            var settings = _model.Settings;
            var columns = new List<DataViewSchema.DetachedColumn> { new(settings.PredictedTokensColumnName, new VectorDataViewType(NumberDataViewType.Int32)) };
            if (settings.PredictedTextColumnName is { } text)
                columns.Add(new(text, TextDataViewType.Instance));
            return columns.ToArray();
        }

        protected override IReadOnlyList<DataViewSchema.Column> Sources => [_source];

        protected override Func<Seq2SeqPrediction> CreatePredictor(DataViewRow input)
        {
            var read = SequenceRowReader.Create(input, _source, _model.Settings.SourceColumnName, 0);
            return () =>
            {
                var (tokens, _, count) = read();
                var ids = new int[count];
                for (int i = 0; i < count; i++)
                    ids[i] = tokens[i] is >= 0 and <= int.MaxValue ? (int)tokens[i] : 1;
                return _model.Predict(ids);
            };
        }

        protected override Delegate OutputGetter(int output, Func<Seq2SeqPrediction> current) => output == 0
            ? (ValueGetter<VBuffer<int>>)((ref VBuffer<int> tokens) =>
            {
                var values = current().Tokens;
                var editor = VBufferEditor.Create(ref tokens, values.Length);
                values.CopyTo(editor.Values);
                tokens = editor.Commit();
            })
            : (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> text) => text = (current().Text ?? "").AsMemory());
    }
}
