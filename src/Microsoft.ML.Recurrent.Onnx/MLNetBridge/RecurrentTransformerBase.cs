using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Base of the library's row-to-row transformers. ML.NET's <see cref="RowToRowTransformerBase"/> is public, but what a
/// transformer must implement to be saved and to map rows (<c>SaveModel</c>, <c>MakeRowMapper</c>, its
/// <c>MapperBase</c>) is internal to ML.NET; this class implements them once, over the library's own
/// <see cref="RowMapping"/> and <see cref="ComponentReader"/>, so that the transformers themselves use public ML.NET
/// types only (a test compiles the library against the real ML.NET and fails when a file outside the bridge does not).
/// </summary>
public abstract class RecurrentTransformerBase : RowToRowTransformerBase
{
    private protected RecurrentTransformerBase(IHostEnvironment environment, string name)
        : base(environment.Register(name))
    {
    }

    /// <summary>The transformer's host: its channel for logging and its exceptions.</summary>
    private protected IHost ComponentHost => Host;

    /// <summary>Writes the transformer's state into its folder of the model (the version header first).</summary>
    private protected abstract void Save(ModelSaveContext context);

    /// <summary>Checks <paramref name="inputSchema"/> and returns the mapping of its rows to the output columns.</summary>
    private protected abstract RowMapping CreateMapping(DataViewSchema inputSchema);

    /// <inheritdoc />
    protected sealed override void SaveModel(ModelSaveContext ctx) => Save(ctx);

    /// <inheritdoc />
    protected sealed override IRowMapper MakeRowMapper(DataViewSchema schema) => new MappingAdapter(this, CreateMapping(schema));

    internal IRowMapper RowMapperFor(DataViewSchema schema) => MakeRowMapper(schema);

    private sealed class MappingAdapter : MapperBase
    {
        private readonly RecurrentTransformerBase _owner;
        private readonly RowMapping _mapping;

        public MappingAdapter(RecurrentTransformerBase owner, RowMapping mapping)
            : base(owner.Host.Register(mapping.GetType().Name), mapping.InputSchema, owner)
        {
            _owner = owner;
            _mapping = mapping;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => _mapping.Outputs;

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) => _mapping.Dependencies(activeOutput);

        protected override void SaveModel(ModelSaveContext ctx) => _owner.Save(ctx);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
            => _mapping.MakeGetter(input, iinfo, activeOutput, out disposer);

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
            => _mapping.CreateGetters(input, activeOutput, out disposer);
    }
}

/// <summary>
/// How a transformer maps the rows of one input schema: the columns it adds, the input columns each needs, and the
/// getters of a row's outputs. The library's counterpart of ML.NET's internal row mapper.
/// </summary>
internal abstract class RowMapping
{
    protected RowMapping(DataViewSchema inputSchema) => InputSchema = inputSchema;

    private DataViewSchema.DetachedColumn[]? _outputs;

    /// <summary>The schema whose rows are mapped.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The added columns (<see cref="GetOutputColumns"/>, computed once).</summary>
    public DataViewSchema.DetachedColumn[] Outputs => _outputs ??= GetOutputColumns();

    /// <summary>The added columns, in order; output <c>i</c> below is the i-th of them.</summary>
    public abstract DataViewSchema.DetachedColumn[] GetOutputColumns();

    /// <summary>Which input columns (by index) the outputs that <paramref name="activeOutput"/> selects read.</summary>
    public abstract Func<int, bool> Dependencies(Func<int, bool> activeOutput);

    /// <summary>The getter of output <paramref name="output"/> over the current row of <paramref name="input"/>.</summary>
    public abstract Delegate MakeGetter(DataViewRow input, int output, Func<int, bool> activeOutput, out Action? disposer);

    /// <summary>
    /// The getters of the active outputs (null for the others). Override to share work between the outputs of a
    /// row, such as one prediction behind several columns.
    /// </summary>
    public virtual Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
    {
        var columns = Outputs;
        var getters = new Delegate[columns.Length];
        Action? disposers = null;
        for (int i = 0; i < columns.Length; i++)
        {
            if (!activeOutput(i))
                continue;
            getters[i] = MakeGetter(input, i, activeOutput, out var disposeOne);
            disposers += disposeOne;
        }
        disposer = disposers;
        return getters;
    }
}

/// <summary>
/// A transformer that ML.NET can load from a model .zip: <see cref="ComponentLoader{T}"/> calls <see cref="Load"/>.
/// </summary>
internal interface ILoadableTransformer<TSelf> where TSelf : ITransformer, ILoadableTransformer<TSelf>
{
    /// <summary>Reads what the transformer's <c>Save</c> wrote.</summary>
    static abstract TSelf Load(IHostEnvironment environment, ComponentReader reader);
}

/// <summary>
/// The loader ML.NET's component catalog calls for <typeparamref name="T"/> (registered with <c>LoadableClass</c> in
/// <c>MLNetBridge/LoadableComponents.cs</c>): as a transformer of a pipeline, and as the row mapper of a scoring view.
/// </summary>
internal static class ComponentLoader<T> where T : ITransformer, ILoadableTransformer<T>
{
    public static T Create(IHostEnvironment env, ModelLoadContext ctx) => T.Load(env, new ComponentReader(ctx));

    public static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx) is RecurrentTransformerBase transformer
            ? transformer.RowMapperFor(inputSchema)
            : throw new InvalidOperationException($"{typeof(T).Name} is not a row-to-row transformer, so it has no row mapper.");
}
