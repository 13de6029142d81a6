using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;

namespace Microsoft.ML.Recurrent.ModelHost;

/// <summary>
/// The <c>threads</c> command: sets LibTorch's thread count through TorchSharp first when given one (as an application
/// that chose it would), trains a tiny classifier, and prints the thread count LibTorch has afterwards.
/// </summary>
public static class ThreadCountCheck
{
    public sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }
    }

    public static int Run(int applicationThreads)
    {
        if (applicationThreads > 0)
            TorchSharp.torch.set_num_threads(applicationThreads);
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 8).Select(i => new Row { Tokens = [2 + i % 3, 3], Label = i % 2 == 0 }).ToList();
        var options = new RecurrentSequenceTrainerOptions { FeatureColumnName = "Tokens", HiddenSize = 4, EmbeddingSize = 4, Epochs = 1 };
        ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        Console.WriteLine(TorchSharp.torch.get_num_threads().ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
