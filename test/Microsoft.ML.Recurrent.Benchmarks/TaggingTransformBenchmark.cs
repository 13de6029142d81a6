using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Benchmarks.Macro;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>tagging-transform</c>: the tagger's batched Transform (blocks of 256 sentences, length-sorted batches of 64)
/// against one PredictionEngine call per sentence, on CoNLL-2003 eng.testb when ../shared/data holds it (the tagger
/// trained one epoch on the first 500 sentences of eng.train: speed does not depend on how well it tags), rounds
/// alternating, median ratio.
/// </summary>
public static class TaggingTransformBenchmark
{
    private sealed class Sentence
    {
        [VectorType] public string[] Tokens { get; set; } = [];
        [VectorType] public string[] Tags { get; set; } = [];
    }

    private sealed class Prediction
    {
        [VectorType] public string[] PredictedTags { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        string? conll = Sst2Sample.FindTrainFile() is { } sst2 ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sst2)!, "..", "conll2003")) : null;
        if (conll is null || !File.Exists(Path.Combine(conll, "eng.testb")))
        {
            Console.Error.WriteLine("tagging-transform needs ../shared/data/conll2003 (eng.train, eng.testb) beside the repository.");
            return 2;
        }
        var ml = new MLContext(seed: 1);
        var tagging = ml.SequenceTagging();
        var train = ml.Data.TakeRows(tagging.LoadConll(Path.Combine(conll, "eng.train")), 500);
        var test = tagging.LoadConll(Path.Combine(conll, "eng.testb"));
        var model = tagging.Trainers.BiLstm(new SequenceTaggingTrainerOptions { Epochs = 1 }).Fit(train);
        var sentences = ml.Data.CreateEnumerable<Sentence>(test, reuseRowObject: false).ToList();
        using var engine = ml.Model.CreatePredictionEngine<Sentence, Prediction>(model);

        double TransformSeconds() => Time(() => model.Transform(test).GetColumn<string[]>("PredictedTags").Count());
        double EngineSeconds() => Time(() =>
        {
            foreach (var sentence in sentences)
                engine.Predict(sentence);
        });
        TransformSeconds();
        EngineSeconds();
        var ratios = new List<double>();
        for (int round = 0; round < 4; round++)
        {
            double transform, oneByOne;
            if (round % 2 == 0)
            {
                transform = TransformSeconds();
                oneByOne = EngineSeconds();
            }
            else
            {
                oneByOne = EngineSeconds();
                transform = TransformSeconds();
            }
            ratios.Add(oneByOne / transform);
            Console.WriteLine($"round {round + 1}: {sentences.Count} sentences, Transform {transform:F2} s, PredictionEngine {oneByOne:F2} s (load {Measure.LoadAverage():F1})");
        }
        Console.WriteLine($"Transform / PredictionEngine sentences per second (median): {Measure.Median(ratios):F2}x");
        return 0;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
