using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Support;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class Conll2003Tests
{
    [TestMethod]
    [TestCategory(SharedData.Category)]
    [DoNotParallelize]
    public void ShortTrainingOnConll2003ReachesAMeaningfulEntityF1()
    {
        string trainPath = SharedData.Require("conll2003/eng.train");
        string validPath = SharedData.Require("conll2003/eng.testa");
        var ml = new MLContext(seed: 1);
        var tagging = ml.SequenceTagging();
        var train = ml.Data.TakeRows(tagging.LoadConll(trainPath), 2000);
        var test = ml.Data.TakeRows(tagging.LoadConll(validPath), 1000);
        var options = new SequenceTaggingTrainerOptions { Epochs = 3, Seed = 1, HiddenSize = 64 };

        // One intra-op thread: on a shared 2-core machine, two threads per process spin against other processes'
        // threads and made this run several times slower. Restored afterwards (the setting is process-wide).
        TorchRuntime.EnsureInitialized();
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            var clock = Stopwatch.StartNew();
            var model = tagging.Trainers.BiLstm(options).Fit(train);
            var metrics = tagging.Evaluate(model.Transform(test));
            Console.WriteLine($"2000 sentences, 3 epochs: eng.testa[..1000] F1 {metrics.F1:F4}, token accuracy {metrics.TokenAccuracy:F4}, {clock.Elapsed.TotalSeconds:F0} s");
            Assert.IsTrue(metrics.F1 > 0.5, $"entity F1 {metrics.F1}");
            Assert.AreEqual(4, metrics.PerType.Count);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }
}
