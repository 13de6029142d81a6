namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// How <see cref="LanguageModelTrainer"/> reduces the cross-entropy of one window to the loss it differentiates. The
/// reported training loss is the mean per token either way; the choice scales the gradient, and so the step size and
/// what gradient clipping sees.
/// </summary>
public enum LanguageModelLossReduction
{
    /// <summary>The mean over every predicted token of the window (PyTorch's word_language_model example).</summary>
    MeanOverTokens,

    /// <summary>
    /// The mean over the parallel streams, summed over the window's time steps: the window's length times
    /// <see cref="MeanOverTokens"/>, as in the code of Zaremba et al. (2014) and TensorFlow's PTB tutorial. With SGD
    /// it equals <see cref="MeanOverTokens"/> at a learning rate and clip norm that many times larger.
    /// </summary>
    SumOverTimeSteps,
}
