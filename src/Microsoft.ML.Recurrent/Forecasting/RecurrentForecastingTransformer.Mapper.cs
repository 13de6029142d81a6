using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Forecasting;

public sealed partial class RecurrentForecastingTransformer
{
    /// <summary>Computes Forecast, LowerBound and UpperBound for one window row, sharing one network call among them.</summary>
    private sealed class Mapper : MapperBase
    {
        private readonly RecurrentForecastingTransformer _model;
        private readonly DataViewSchema.Column _window;

        public Mapper(RecurrentForecastingTransformer model, DataViewSchema inputSchema)
            : base(model.Host.Register(nameof(Mapper)), inputSchema, model)
        {
            _model = model;
            var settings = model.Settings;
            _window = SchemaChecks.RequireColumn(inputSchema, "Recurrent forecasting model", "window", settings.WindowColumnName,
                t => t is VectorDataViewType { ItemType: var item } v && item == NumberDataViewType.Single && (v.Size == 0 || v.Size == settings.WindowLength),
                $"a vector of {settings.WindowLength} Single values ({settings.Lookback} steps × {settings.StepWidth}; build it with CreateWindowData or SeriesWindowing)");
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var settings = _model.Settings;
            var type = new VectorDataViewType(NumberDataViewType.Single, settings.Horizon);
            return
            [
                new(settings.ForecastColumnName, type),
                new(settings.LowerBoundColumnName, type),
                new(settings.UpperBoundColumnName, type),
            ];
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, 3).Any(activeOutput);
            return column => any && column == _window.Index;
        }

        protected override void SaveModel(ModelSaveContext ctx) => _model.SaveModel(ctx);

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            // One forecast per cursor position, shared by the three columns; each cursor (and thread) gets its own.
            // A cursor that reads none of them has no active input column to read from, so it gets no prediction.
            RowForecast? prediction = null;
            var getters = new Delegate[3];
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = MakeGetter(prediction ??= new RowForecast(_model, input, _window), i);
            }
            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            return MakeGetter(new RowForecast(_model, input, _window), iinfo);
        }

        private static Delegate MakeGetter(RowForecast prediction, int iinfo) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var result = prediction.Get();
            var source = iinfo switch { 0 => result.Forecast, 1 => result.LowerBound, _ => result.UpperBound };
            var editor = VBufferEditor.Create(ref value, source.Length);
            source.CopyTo(editor.Values);
            value = editor.Commit();
        });
    }

    /// <summary>The forecast for the row under the cursor, computed once however many columns ask for it.</summary>
    private sealed class RowForecast
    {
        private readonly RecurrentForecastingTransformer _model;
        private readonly DataViewRow _row;
        private readonly ValueGetter<VBuffer<float>> _getter;
        private VBuffer<float> _buffer;
        private long _position = -1;
        private ForecastResult? _value;

        public RowForecast(RecurrentForecastingTransformer model, DataViewRow row, DataViewSchema.Column window)
        {
            _model = model;
            _row = row;
            _getter = row.GetGetter<VBuffer<float>>(window);
        }

        public ForecastResult Get()
        {
            if (_value is null || _position != _row.Position || _position < 0)
            {
                _getter(ref _buffer);
                var window = new float[_buffer.Length];
                _buffer.CopyTo(window);
                try
                {
                    _value = _model.Forecast(window);
                }
                catch (Exception e) when (e is ArgumentException or InvalidDataException)
                {
                    throw new InvalidDataException($"Row {_row.Position} of column '{_model.Settings.WindowColumnName}': {e.Message}", e);
                }
                _position = _row.Position;
            }
            return _value;
        }
    }
}
