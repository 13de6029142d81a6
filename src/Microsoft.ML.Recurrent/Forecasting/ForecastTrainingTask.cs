using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// The forecaster's loss for <see cref="TrainingLoop"/>: the pinball loss of the three quantiles, or the Gaussian
/// negative log-likelihood, averaged over the horizon. Targets are <c>[B, horizon]</c> vectors in scaled space.
/// </summary>
internal sealed class ForecastTrainingTask : ITrainingTask
{
    private readonly ForecastModelSettings _settings;
    private readonly float[] _quantiles;

    public ForecastTrainingTask(ForecastModelSettings settings)
    {
        _settings = settings;
        _quantiles = settings.Quantiles;
    }

    public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
    {
        var outputs = ((SequenceClassifierNetwork)model).call(batch.Inputs, batch.Lengths)
            .reshape(batch.Size, _settings.Horizon, _settings.OutputsPerStep);
        var targets = batch.RequireTargets().unsqueeze(2);
        if (_settings.IntervalKind == ForecastIntervalKind.Quantile)
        {
            var q = tensor(_quantiles, device: outputs.device).reshape(1, 1, _quantiles.Length);
            var error = targets - outputs;
            return maximum(q * error, (q - 1) * error).mean();
        }
        var mean = outputs.narrow(2, 0, 1);
        // Clamping the log standard deviation keeps one badly fitted window from producing an infinite loss.
        var logSigma = outputs.narrow(2, 1, 1).clamp(-10, 10);
        var z = (targets - mean) * (-logSigma).exp();
        return (logSigma + 0.5 * z * z).mean();
    }
}
