using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Classification;

public sealed partial class RecurrentSequenceTransformer
{
    internal const string ExpectedFeatureType = "a vector of token ids (Int32, Int64, UInt32 or key) or of Single features";

    internal static bool IsValidFeatureType(DataViewType type, bool usesTokens)
    {
        if (type is not VectorDataViewType vector)
            return false;
        var raw = vector.ItemType.RawType;
        return usesTokens
            ? raw == typeof(int) || raw == typeof(long) || raw == typeof(uint) || (vector.ItemType is KeyDataViewType)
            : raw == typeof(float);
    }

    internal static bool IsValidWideType(DataViewType type, int size)
        => type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single && vector.Size == size;

    /// <summary>Computes the task's columns for one row at a time, sharing one network call among them.</summary>
    private sealed class Mapper : RowPredictionMapping<float[]>
    {
        private readonly RecurrentSequenceTransformer _model;
        private readonly DataViewSchema.Column _features;
        private readonly DataViewSchema.Column? _wide;

        public Mapper(RecurrentSequenceTransformer model, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _model = model;
            var settings = model.Settings;
            _features = SchemaChecks.RequireColumn(inputSchema, "Recurrent sequence model", "feature", settings.FeatureColumnName,
                t => IsValidFeatureType(t, settings.UsesTokens),
                settings.UsesTokens ? "a vector of token ids (Int32, Int64, UInt32 or key)" : $"a vector of Single ({settings.FeatureSize} per step)");
            if (settings.UsesWideFeatures)
                _wide = SchemaChecks.RequireColumn(inputSchema, "Recurrent sequence model", "wide feature", settings.WideFeatureColumnName!,
                    t => IsValidWideType(t, settings.WideFeatureSize), $"a vector of {settings.WideFeatureSize} Single values");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns() => OutputColumns(_model.Settings, NextScoreColumnSetId(InputSchema));

        protected override IReadOnlyList<DataViewSchema.Column> Sources => _wide is { } wide ? [_features, wide] : [_features];

        protected override Func<float[]> CreatePredictor(DataViewRow input)
        {
            var settings = _model.Settings;
            var read = SequenceRowReader.Create(input, _features, settings.FeatureColumnName, settings.UsesTokens ? 0 : settings.FeatureSize);
            var readWide = _wide is { } wide ? SequenceRowReader.CreateWide(input, wide, settings.WideFeatureSize) : null;
            return () =>
            {
                var (tokens, features, count) = read();
                return _model.Predict(tokens.AsSpan(0, settings.UsesTokens ? count : 0), features.AsSpan(0, settings.UsesTokens ? 0 : count),
                    readWide?.Invoke() ?? default);
            };
        }

        protected override Delegate OutputGetter(int output, Func<float[]> current) => RecurrentSequenceTransformer.OutputGetter(_model.Settings, output, current);
    }

    /// <summary>
    /// The getter of output column <paramref name="iinfo"/> (in <see cref="OutputColumns"/> order) over the
    /// ensemble-averaged output that <paramref name="current"/> returns for the row under the cursor.
    /// </summary>
    private static Delegate OutputGetter(SequenceModelSettings settings, int iinfo, Func<float[]> current)
        => (settings.Kind, iinfo) switch
        {
            (SequencePredictionKind.BinaryClassification, 0) => (ValueGetter<float>)((ref float score) => score = Logit(current()[0])),
            (SequencePredictionKind.BinaryClassification, 1) => (ValueGetter<float>)((ref float probability) => probability = current()[0]),
            (SequencePredictionKind.BinaryClassification, _) => (ValueGetter<bool>)((ref bool label) => label = current()[0] > 0.5f),
            (SequencePredictionKind.MulticlassClassification, 0) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> scores) =>
            {
                var values = current();
                var editor = VBufferEditor.Create(ref scores, values.Length);
                values.CopyTo(editor.Values);
                scores = editor.Commit();
            }),
            (SequencePredictionKind.MulticlassClassification, _) => (ValueGetter<uint>)((ref uint label) => label = (uint)ArgMax(current()) + 1),
            _ => (ValueGetter<float>)((ref float score) => score = current()[0]),
        };

    internal static float Logit(float probability)
    {
        double p = Math.Clamp(probability, 1e-7, 1 - 1e-7);
        return (float)Math.Log(p / (1 - p));
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    /// <summary>The task's columns with ML.NET's scorer annotations; see <see cref="SequenceOutputColumns.Create"/>.</summary>
    internal static DataViewSchema.DetachedColumn[] OutputColumns(SequenceModelSettings settings, uint scoreColumnSetId = 1)
        => SequenceOutputColumns.Create(settings, scoreColumnSetId);

    /// <summary>The id the next set of score columns gets in <paramref name="inputSchema"/>, as ML.NET's scorers number them.</summary>
    internal static uint NextScoreColumnSetId(DataViewSchema inputSchema) => SequenceOutputColumns.NextScoreColumnSetId(inputSchema);
}
