using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// Dropout whose masks come from the training run's own generator (<see cref="TrainingRandom"/>) instead of
/// LibTorch's process-wide one; otherwise <c>nn.Dropout</c>: in training each element is zeroed with probability p
/// and the rest scaled by 1 / (1 − p); in eval mode the input passes unchanged. Any shape in, the same shape out.
/// </summary>
internal sealed class RunDropout : Module<Tensor, Tensor>
{
    private readonly double _probability;

    public RunDropout(double probability) : base(nameof(RunDropout))
    {
        if (!(probability >= 0 && probability < 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The dropout probability must lie in [0, 1).");
        _probability = probability;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _probability == 0)
            return input.alias();
        using var keep = empty_like(input).bernoulli_(1 - _probability, TrainingRandom.Current);
        keep.div_(1 - _probability);
        return input.mul(keep);
    }
}
