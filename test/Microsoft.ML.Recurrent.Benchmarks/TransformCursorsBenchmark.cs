using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Benchmarks.Macro;
using Microsoft.ML.Recurrent.Classification;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>transform-cursors [--rows N]</c>: rows per second of a recurrent classifier's batched Transform read through one
/// cursor and through a cursor set of two (each scoring its own part of the input on its own thread), on generated
/// token sequences (lengths 1 to 60) held in ML.NET's cache so that the input itself splits; rounds alternating,
/// median ratio. A tiny model trained one epoch: speed does not depend on how well it classifies.
/// </summary>
public static class TransformCursorsBenchmark
{
    private sealed class Row
    {
        [VectorType] public int[] Tokens { get; set; } = [];
        public bool Label { get; set; }
    }

    public static int Run(string[] args)
    {
        int rows = args.Length >= 2 && args[0] == "--rows" && int.TryParse(args[1], out int r) && r > 0 ? r : 20_000;
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var data = Enumerable.Range(0, rows).Select(_ =>
        {
            var tokens = Enumerable.Range(0, random.Next(1, 61)).Select(_ => random.Next(2, 200)).ToArray();
            return new Row { Tokens = tokens, Label = tokens[0] % 2 == 0 };
        }).ToList();
        var input = ml.Data.Cache(ml.Data.LoadFromEnumerable(data));
        var model = ml.BinaryClassification.Trainers.Recurrent(new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = nameof(Row.Tokens),
            Epochs = 1,
            HiddenSize = 64,
            EmbeddingSize = 32,
        }).Fit(ml.Data.TakeRows(input, 2_000));
        var scored = model.Transform(input);
        var score = scored.Schema["Score"];
        input.GetColumn<bool>(nameof(Row.Label)).Count(); // fills the cache

        double Seconds(int cursors, out int obtained)
        {
            var clock = Stopwatch.StartNew();
            var set = scored.GetRowCursorSet([score], cursors);
            obtained = set.Length;
            long read = set.AsParallel().WithDegreeOfParallelism(set.Length).Select(cursor =>
            {
                using (cursor)
                {
                    var getter = cursor.GetGetter<float>(score);
                    float value = 0;
                    long count = 0;
                    while (cursor.MoveNext())
                    {
                        getter(ref value);
                        count++;
                    }
                    return count;
                }
            }).Sum();
            if (read != rows)
                throw new InvalidOperationException($"read {read} rows of {rows}");
            return clock.Elapsed.TotalSeconds;
        }

        Seconds(1, out _);
        Seconds(2, out _);
        var ratios = new List<double>();
        for (int round = 0; round < 4; round++)
        {
            double one, two;
            int obtained;
            if (round % 2 == 0)
            {
                one = Seconds(1, out _);
                two = Seconds(2, out obtained);
            }
            else
            {
                two = Seconds(2, out obtained);
                one = Seconds(1, out _);
            }
            ratios.Add(one / two);
            Console.WriteLine($"round {round + 1}: {rows} rows, 1 cursor {rows / one:F0} rows/s, cursor set of {obtained} {rows / two:F0} rows/s (load {Measure.LoadAverage():F1})");
        }
        Console.WriteLine($"cursor set of 2 / one cursor rows per second (median): {Measure.Median(ratios):F2}x");
        return 0;
    }
}
