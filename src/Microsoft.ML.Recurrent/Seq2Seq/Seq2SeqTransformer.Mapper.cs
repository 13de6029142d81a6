using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Seq2Seq;

public sealed partial class Seq2SeqTransformer
{
    /// <summary>Decodes the row under the cursor once, however many of the output columns ask for it.</summary>
    private sealed class Mapper : RowMapping
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

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, Outputs.Length).Any(activeOutput);
            return column => any && column == _source.Index;
        }

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            // One decoding per cursor, shared by its columns; each cursor (and thread) gets its own.
            // A cursor that reads none of them has no active input column to read from, so it gets no prediction.
            RowPrediction? prediction = null;
            var getters = new Delegate[Outputs.Length];
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = MakeGetter(prediction ??= new RowPrediction(_model, input, _source), i);
            }
            return getters;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            return MakeGetter(new RowPrediction(_model, input, _source), iinfo);
        }

        private static Delegate MakeGetter(RowPrediction prediction, int iinfo) => iinfo == 0
            ? (ValueGetter<VBuffer<int>>)((ref VBuffer<int> tokens) =>
            {
                var values = prediction.Get().Tokens;
                var editor = VBufferEditor.Create(ref tokens, values.Length);
                values.CopyTo(editor.Values);
                tokens = editor.Commit();
            })
            : (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> text) => text = (prediction.Get().Text ?? "").AsMemory());
    }

    private sealed class RowPrediction
    {
        private readonly Seq2SeqTransformer _model;
        private readonly DataViewRow _row;
        private readonly Func<(long[] Tokens, float[] Features, int Count)> _read;
        private long _position = -1;
        private Seq2SeqPrediction? _value;

        public RowPrediction(Seq2SeqTransformer model, DataViewRow row, DataViewSchema.Column source)
        {
            _model = model;
            _row = row;
            _read = SequenceRowReader.Create(row, source, model.Settings.SourceColumnName, 0);
        }

        public Seq2SeqPrediction Get()
        {
            if (_value is null || _position != _row.Position)
            {
                var (tokens, _, count) = _read();
                var ids = new int[count];
                for (int i = 0; i < count; i++)
                    ids[i] = tokens[i] is >= 0 and <= int.MaxValue ? (int)tokens[i] : 1;
                _value = _model.Predict(ids);
                _position = _row.Position;
            }
            return _value;
        }
    }
}
