using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>linear-baselines [--data DIR]</c>: accuracy of linear bag-of-words models on a review folder split into
/// <c>train/</c>, <c>valid/</c> and <c>test/</c> (default <c>../shared/data/movie-review-polarity</c>): ML.NET's usual
/// FeaturizeText + SDCA, and L-BFGS logistic regression (no L1, L2 chosen on <c>valid/</c>) on FeaturizeText's
/// features, on binarized word 1- and 2-gram counts, and on the same counts weighted by their naive Bayes log-count
/// ratios (NB-SVM's features). Trained on <c>train/</c>; the L2 is the one with the best <c>valid/</c> accuracy.
/// </summary>
public static class LinearBaselinesBenchmark
{
    private static readonly float[] L2Choices = [1f, 0.1f, 0.01f, 0.001f];

    public static int Run(string[] args)
    {
        string root = args.Length >= 2 && args[0] == "--data" ? args[1] : Path.Combine("..", "shared", "data", "movie-review-polarity");
        var ml = new MLContext(seed: 1);
        IDataView Split(string name) => ml.Data.LoadFromTextFolder(Path.Combine(root, name), positiveClass: "pos");
        var (train, valid, test) = (Split("train"), Split("valid"), Split("test"));

        var counts = new TextFeaturizingEstimator.Options
        {
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
            CharFeatureExtractor = null,
            Norm = TextFeaturizingEstimator.NormFunction.None,
        };
        var featurizations = new (string Name, IEstimator<ITransformer> Features)[]
        {
            ("FeaturizeText defaults (word 1-2-grams and char 3-grams, L2-normalized)", ml.Transforms.Text.FeaturizeText("Features", "Text")),
            ("word 1-2-gram counts, binarized", ml.Transforms.Text.FeaturizeText("Counts", counts, "Text")
                .Append(ml.Transforms.Conversion.ConvertType("Binary", "Counts", Data.DataKind.Boolean))
                .Append(ml.Transforms.Conversion.ConvertType("Features", "Binary", Data.DataKind.Single))),
            ("word 1-2-gram counts weighted by naive Bayes log-count ratios (NB-SVM's features)", ml.Transforms.Text.FeaturizeText("Counts", counts, "Text")
                .Append(ml.Transforms.Text.WeightByLogCountRatio("Features", "Counts"))),
        };

        double Accuracy(ITransformer model, IDataView data) => ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(data)).Accuracy;

        var sdca = featurizations[0].Features.AppendCacheCheckpoint(ml).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Features")).Fit(train);
        Console.WriteLine($"{featurizations[0].Name} + SDCA: valid {Accuracy(sdca, valid):F3}, test {Accuracy(sdca, test):F3}");
        foreach (var (name, features) in featurizations)
        {
            var featurizer = features.Fit(train);
            var (trainFeatures, validFeatures, testFeatures) = (ml.Data.Cache(featurizer.Transform(train)), featurizer.Transform(valid), featurizer.Transform(test));
            var fits = L2Choices.Select(l2 =>
            {
                var model = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new() { L2Regularization = l2, L1Regularization = 0 }).Fit(trainFeatures);
                return (L2: l2, Valid: Accuracy(model, validFeatures), Test: Accuracy(model, testFeatures));
            }).ToList();
            var chosen = fits.MaxBy(f => f.Valid);
            Console.WriteLine($"{name} + L-BFGS logistic regression: L2 {chosen.L2} chosen on valid ({chosen.Valid:F3}), test {chosen.Test:F3}; "
                + $"test for every L2: {string.Join(", ", fits.Select(f => $"{f.L2} -> {f.Test:F3}"))}");
        }
        return 0;
    }
}
