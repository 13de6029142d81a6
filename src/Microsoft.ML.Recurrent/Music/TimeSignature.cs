namespace Microsoft.ML.Recurrent.Music;

/// <summary>A time signature (metre), e.g. 6/8. Its token is <c>M:6/8</c>.</summary>
/// <param name="Numerator">Beats per bar, 1 to 32.</param>
/// <param name="Denominator">Beat unit: 1, 2, 4, 8, 16 or 32.</param>
public readonly record struct TimeSignature(int Numerator, int Denominator)
{
    /// <summary>4/4, what a melody without a time signature is read as.</summary>
    public static TimeSignature Common => new(4, 4);

    /// <summary>Length of one bar in steps of <see cref="Melody.StepsPerQuarter"/> per quarter note.</summary>
    public int BarSteps => Numerator * Melody.StepsPerQuarter * 4 / Denominator;

    /// <summary>The token, e.g. <c>M:6/8</c>.</summary>
    public override string ToString() => $"M:{Numerator}/{Denominator}";

    /// <summary>Checks the ranges; throws <see cref="ArgumentOutOfRangeException"/> naming the part at fault.</summary>
    internal TimeSignature Validated()
    {
        if (Numerator is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(Numerator), Numerator, "A time signature has 1 to 32 beats per bar.");
        if (Denominator is not (1 or 2 or 4 or 8 or 16 or 32))
            throw new ArgumentOutOfRangeException(nameof(Denominator), Denominator, "A time signature's beat unit is 1, 2, 4, 8, 16 or 32.");
        return this;
    }
}
