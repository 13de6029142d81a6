namespace Microsoft.ML.Recurrent.Modules;

/// <summary>The recurrent cell a recurrent layer is built from.</summary>
public enum RecurrentCellType
{
    /// <summary>Long short-term memory: input, forget, cell and output gates with a separate cell state. A robust default for long sequences.</summary>
    Lstm,

    /// <summary>Gated recurrent unit: reset and update gates, no separate cell state. Fewer parameters than <see cref="Lstm"/> and often as accurate.</summary>
    Gru,

    /// <summary>Elman recurrent network with a hyperbolic tangent non-linearity: the simplest and fastest cell, prone to vanishing gradients on long sequences.</summary>
    RnnTanh,

    /// <summary>Elman recurrent network with a rectified linear non-linearity: like <see cref="RnnTanh"/> but unbounded, which can make training unstable.</summary>
    RnnRelu,
}
