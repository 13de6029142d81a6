using TorchSharp.Modules;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// A model's parameters split into optimizer groups from the top of the network (group 0, next to the output) down to
/// its input, for ULMFiT's discriminative fine-tuning and gradual unfreezing (Howard and Ruder 2018):
/// group <c>k</c> learns at the scheduled rate divided by <c>LayerDecay^k</c>, and with
/// <see cref="GradualUnfreezing"/> it only trains from epoch <c>k + 1</c> on. <see cref="TrainingLoop"/> reads it through
/// <see cref="TrainingLoop.ParameterGrouping"/>; parameters that do not require gradients (frozen embeddings) may be
/// listed and are left out.
/// </summary>
internal sealed class ParameterGrouping
{
    /// <param name="groups">Every trainable parameter of the model exactly once, top group first.</param>
    /// <param name="layerDecay">The divisor between one group's rate and the next lower group's, at least 1.</param>
    /// <param name="gradualUnfreezing">Whether group <c>k</c> waits until epoch <c>k + 1</c> to train.</param>
    public ParameterGrouping(IReadOnlyList<IReadOnlyList<Parameter>> groups, double layerDecay, bool gradualUnfreezing)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(double.IsFinite(layerDecay) && layerDecay >= 1))
            throw new ArgumentOutOfRangeException(nameof(layerDecay), layerDecay, "The layer decay must be finite and at least 1.");
        Groups = groups;
        LayerDecay = layerDecay;
        GradualUnfreezing = gradualUnfreezing;
    }

    /// <summary>The groups, top (group 0) first.</summary>
    public IReadOnlyList<IReadOnlyList<Parameter>> Groups { get; }

    /// <summary>Group <c>k</c>'s rate is the scheduled rate divided by <c>LayerDecay^k</c>.</summary>
    public double LayerDecay { get; }

    /// <summary>Whether group <c>k</c> trains only from epoch <c>k + 1</c> on.</summary>
    public bool GradualUnfreezing { get; }

    /// <summary>The factor of 0-based <paramref name="group"/>'s learning rate: <c>LayerDecay^-group</c>.</summary>
    public double Factor(int group) => Math.Pow(LayerDecay, -group);

    /// <summary>Whether 0-based <paramref name="group"/> trains in 1-based <paramref name="epoch"/>.</summary>
    public bool Trains(int group, int epoch) => !GradualUnfreezing || group < epoch;
}
