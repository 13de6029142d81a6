using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Turns a vector of averaged network outputs (what an exported model's ONNX output holds) into the columns the
/// TorchSharp <c>RecurrentSequenceTransformer</c> writes, with the same annotations, so that evaluators and
/// PredictionEngine classes work unchanged: binary Score (logit), Probability and PredictedLabel; multiclass Score
/// (class probabilities) and PredictedLabel (key); regression Score. Needs no TorchSharp.
/// </summary>
public sealed class SequenceScoreTransformer : RecurrentTransformerBase, ILoadableTransformer<SequenceScoreTransformer>
{
    internal const string LoaderSignature = "RecurrentSeqScoreCols";
    private static readonly ComponentFormat Format = new("RNNSCORE", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string InputColumnName, SequenceModelSettings Model);

    private readonly Settings _settings;

    internal SequenceScoreTransformer(IHostEnvironment environment, string inputColumnName, SequenceModelSettings model)
        : base(environment, nameof(SequenceScoreTransformer))
    {
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentNullException.ThrowIfNull(model);
        if (model.OutputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(model), model.OutputSize, "The model's output size must be at least 1.");
        _settings = new Settings(inputColumnName, model);
    }

    /// <summary>The column holding the network outputs: a vector of Single with at least the model's output size.</summary>
    public string InputColumnName => _settings.InputColumnName;

    /// <summary>What the outputs mean.</summary>
    public SequencePredictionKind Kind => _settings.Model.Kind;

    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static SequenceScoreTransformer ILoadableTransformer<SequenceScoreTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(settings.InputColumnName) || settings.Model is null || settings.Model.OutputSize < 1)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new SequenceScoreTransformer(env, settings.InputColumnName, settings.Model);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The same clamped logit as the TorchSharp transformer's Score, so both paths agree bit for bit on it.</summary>
    internal static float Logit(float probability)
    {
        double p = Math.Clamp(probability, 1e-7, 1 - 1e-7);
        return (float)Math.Log(p / (1 - p));
    }

    private sealed class Mapper : RowMapping
    {
        private readonly SequenceScoreTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(SequenceScoreTransformer owner, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = owner;
            _input = SchemaChecks.RequireColumn(inputSchema, "Sequence score columns", "input", owner.InputColumnName,
                t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single, "a vector of Single");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
            => SequenceOutputColumns.Create(_owner._settings.Model, SequenceOutputColumns.NextScoreColumnSetId(InputSchema));

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, Outputs.Length).Any(activeOutput);
            return column => any && column == _input.Index;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var model = _owner._settings.Model;
            var getSource = input.GetGetter<VBuffer<float>>(_input);
            var source = default(VBuffer<float>);
            var values = new float[model.OutputSize];
            float[] Read()
            {
                getSource(ref source);
                if (source.Length < values.Length)
                    throw new InvalidOperationException(
                        $"Column '{_owner.InputColumnName}', row {input.Position}: {source.Length} values, but the model has {values.Length} outputs.");
                int i = 0;
                foreach (float value in source.DenseValues())
                {
                    if (i == values.Length)
                        break;
                    values[i++] = value;
                }
                return values;
            }
            return (model.Kind, iinfo) switch
            {
                (SequencePredictionKind.BinaryClassification, 0) => (ValueGetter<float>)((ref float score) => score = Logit(Read()[0])),
                (SequencePredictionKind.BinaryClassification, 1) => (ValueGetter<float>)((ref float probability) => probability = Read()[0]),
                (SequencePredictionKind.BinaryClassification, _) => (ValueGetter<bool>)((ref bool label) => label = Read()[0] > 0.5f),
                (SequencePredictionKind.MulticlassClassification, 0) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> scores) =>
                {
                    var read = Read();
                    var editor = VBufferEditor.Create(ref scores, read.Length);
                    read.CopyTo(editor.Values);
                    scores = editor.Commit();
                }),
                (SequencePredictionKind.MulticlassClassification, _) => (ValueGetter<uint>)((ref uint label) => label = ArgMaxKey(Read())),
                _ => (ValueGetter<float>)((ref float score) => score = Read()[0]),
            };
        }

        // The first largest value wins, as in the TorchSharp transformer; keys are 1-based.
        private static uint ArgMaxKey(float[] values)
        {
            int best = 0;
            for (int i = 1; i < values.Length; i++)
                if (values[i] > values[best])
                    best = i;
            return (uint)best + 1;
        }
    }
}
