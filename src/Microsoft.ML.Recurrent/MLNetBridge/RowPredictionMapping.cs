using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// A mapping whose output columns all read one prediction per row from its input columns: the prediction is made once
/// per row and cursor, however many of the columns ask for it, and not at all by a cursor that reads none of them.
/// Each cursor (and so each thread) has its own.
/// </summary>
/// <typeparam name="TPrediction">One row's prediction.</typeparam>
internal abstract class RowPredictionMapping<TPrediction>(DataViewSchema inputSchema) : RowMapping(inputSchema)
{
    /// <summary>The input columns the prediction reads.</summary>
    protected abstract IReadOnlyList<DataViewSchema.Column> Sources { get; }

    /// <summary>A function that predicts the current row of <paramref name="input"/> (called only when the row changed).</summary>
    protected abstract Func<TPrediction> CreatePredictor(DataViewRow input);

    /// <summary>The getter of output <paramref name="output"/> over the current row's prediction.</summary>
    protected abstract Delegate OutputGetter(int output, Func<TPrediction> current);

    public sealed override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
    {
        bool any = Enumerable.Range(0, Outputs.Length).Any(activeOutput);
        var sources = Sources.Select(c => c.Index).ToHashSet();
        return column => any && sources.Contains(column);
    }

    public sealed override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
    {
        disposer = null;
        Func<TPrediction>? current = null;
        var getters = new Delegate[Outputs.Length];
        for (int i = 0; i < getters.Length; i++)
        {
            if (activeOutput(i))
                getters[i] = OutputGetter(i, current ??= Cached(input));
        }
        return getters;
    }

    public sealed override Delegate MakeGetter(DataViewRow input, int output, Func<int, bool> activeOutput, out Action? disposer)
    {
        disposer = null;
        return OutputGetter(output, Cached(input));
    }

    // The prediction of the row under the cursor, made when the cursor has moved since the last one.
    private Func<TPrediction> Cached(DataViewRow input)
    {
        var predict = CreatePredictor(input);
        long position = -1;
        TPrediction value = default!;
        return () =>
        {
            if (position != input.Position || position < 0)
            {
                value = predict();
                position = input.Position;
            }
            return value;
        };
    }
}
