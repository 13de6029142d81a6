using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// Issue 10 states its classification target on SST-2: this reads a fixed sample of ../shared/data/sst2/train.tsv,
/// tokenized by the library's own TokenizeToSequence, so that section (a) runs on SST-2's real length distribution
/// (phrases of 1 to 50-odd tokens, many short) whenever the shared data is present.
/// </summary>
internal static class Sst2Sample
{
    private sealed class Sentence
    {
        [LoadColumn(0)] public string Text { get; set; } = "";
        [LoadColumn(1)] public bool Label { get; set; }
    }

    /// <summary>The path of SST-2's train.tsv beside the repository, or null when the shared data is absent.</summary>
    public static string? FindTrainFile()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RecurrentMl.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data", "sst2", "train.tsv"));
                return File.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }

    /// <summary>
    /// <paramref name="count"/> rows drawn without replacement with <paramref name="seed"/>, as token ids of a
    /// vocabulary of at most <paramref name="vocabulary"/> ids fitted on the whole train file (rare words are id 1).
    /// </summary>
    public static TokenRow[] Rows(string trainFile, int count, int vocabulary, int seed)
    {
        var mlContext = new MLContext(seed: seed);
        var data = mlContext.Data.LoadFromTextFile<Sentence>(trainFile, separatorChar: '\t', hasHeader: true, allowQuoting: false);
        var tokenized = mlContext.Transforms.Text.TokenizeToSequence("Tokens", nameof(Sentence.Text), maximumVocabularySize: vocabulary)
            .Fit(data).Transform(data);
        var all = mlContext.Data.CreateEnumerable<TokenRow>(tokenized, reuseRowObject: false)
            .Where(r => r.Tokens.Length > 0)
            .ToArray();
        var random = new Random(seed);
        random.Shuffle(all);
        return all.Take(Math.Min(count, all.Length)).ToArray();
    }
}
