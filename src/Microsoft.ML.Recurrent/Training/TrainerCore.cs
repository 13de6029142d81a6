using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// What every recurrent trainer does around its own part, written once: validating the options and registering with
/// the host (at construction), checking the schema of the training and validation data, then a <see cref="FitRun"/>
/// that seeds, creates each ensemble member's network, trains the members under one clock and one cancellation token,
/// disposes the networks when the Fit fails and writes the model's story. A trainer keeps its columns, its data reading,
/// its model settings, its network and its task.
/// </summary>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
internal sealed class TrainerCore<TOptions> where TOptions : TrainingOptions
{
    private readonly Action<SchemaShape> _checkSchema;

    /// <summary>
    /// Validates <paramref name="options"/> with <paramref name="validate"/> (which throws naming the property) and
    /// registers <paramref name="name"/> with the host. <paramref name="checkSchema"/> throws for a schema the trainer
    /// cannot read, naming the column.
    /// </summary>
    public TrainerCore(IHostEnvironment environment, string name, TOptions options, Action<TOptions> validate, Action<SchemaShape> checkSchema)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        validate(options);
        Host = environment.Register(name);
        Options = options;
        _checkSchema = checkSchema;
    }

    /// <summary>The trainer's host: the transformer it creates is registered under it.</summary>
    public IHost Host { get; }

    /// <summary>The validated options.</summary>
    public TOptions Options { get; }

    /// <summary>Checks the schema of <paramref name="trainData"/> and of <paramref name="validationData"/>, then runs <see cref="Fit{TModel}(Func{FitRun, TModel})"/>.</summary>
    public TModel Fit<TModel>(IDataView trainData, IDataView? validationData, Func<FitRun, TModel> fit)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        _checkSchema(SchemaChecks.ShapeOf(trainData.Schema));
        if (validationData is not null)
            _checkSchema(SchemaChecks.ShapeOf(validationData.Schema));
        return Fit(fit);
    }

    /// <summary>
    /// Runs <paramref name="fit"/> (the trainer's own part: read the data, describe the model, train its members with
    /// <see cref="FitRun.TrainMembers"/>, build the transformer) with a channel named "Training" and the Fit's seed.
    /// When it throws, every network it created is disposed; when it returns, they belong to the model it returns.
    /// </summary>
    public TModel Fit<TModel>(Func<FitRun, TModel> fit)
    {
        TorchRuntime.EnsureInitialized();
        using var channel = Host.Start("Training");
        // Before any data is read: a CUDA request that cannot be met fails (or falls back, with a warning) at once.
        var device = TorchDevices.Resolve(Host, Options.Device, channel);
        using var run = new FitRun(Options, channel, Options.Seed ?? Host.Rand.Next(), device);
        var model = fit(run);
        run.HandOver();
        return model;
    }

    /// <summary>Checks a schema as <see cref="Fit{TModel}(IDataView, IDataView?, Func{FitRun, TModel})"/> does (for <c>GetOutputSchema</c>).</summary>
    public void CheckSchema(SchemaShape schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _checkSchema(schema);
    }
}
