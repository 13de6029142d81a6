using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Small hand-made datasets for the training-engine tests.</summary>
internal static class TrainingTestData
{
    /// <summary>Token sequences whose lengths cycle through 1..maxLength; token t of example i is i*100+t+1; class i % 3.</summary>
    public static SequenceDataset Tokens(int count, int maxLength)
    {
        var builder = new SequenceDataset.Builder(SequenceInputKind.Tokens, 1, SequenceTargetKind.Class);
        var tokens = new int[maxLength];
        for (int i = 0; i < count; i++)
        {
            int length = 1 + (i * 7) % maxLength;
            for (int t = 0; t < length; t++)
                tokens[t] = i * 100 + t + 1;
            builder.AddTokens(tokens.AsSpan(0, length));
            builder.AddClass(i % 3);
        }
        return builder.Build();
    }

    /// <summary>
    /// Feature sequences (2 features per step) with a regression target equal to 2*sum(first feature) - 0.5*sum(second) + 1.
    /// </summary>
    public static SequenceDataset LinearRegression(int count, int maxLength, int seed)
    {
        var random = new Random(seed);
        var builder = new SequenceDataset.Builder(SequenceInputKind.Features, 2, SequenceTargetKind.Value);
        var features = new float[maxLength * 2];
        for (int i = 0; i < count; i++)
        {
            int length = 1 + random.Next(maxLength);
            double target = 1;
            for (int t = 0; t < length; t++)
            {
                features[2 * t] = (float)(random.NextDouble() - 0.5);
                features[2 * t + 1] = (float)(random.NextDouble() - 0.5);
                target += 2 * features[2 * t] - 0.5 * features[2 * t + 1];
            }
            builder.AddFeatures(features.AsSpan(0, length * 2));
            builder.AddValue((float)target);
        }
        return builder.Build();
    }
}
