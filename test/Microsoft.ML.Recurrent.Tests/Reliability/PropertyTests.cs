using CsCheck;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Text;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>Invariants of tokenization, padding and normalization on generated inputs (CsCheck; failures print a seed to replay).</summary>
[TestClass]
public sealed class PropertyTests
{
    private const int Iterations = 150;

    private static readonly Gen<string> Word = Gen.String[Gen.Char['a', 'z'], 1, 8];

    // Any UTF-16 code unit, with lone and paired surrogates made likely rather than rare.
    private static readonly Gen<string> AnyText = Gen.String[Gen.Frequency((4, Gen.Char), (1, Gen.Char['\uD800', '\uDFFF']), (1, Gen.Char[' ', '~'])), 0, 40];

    private static readonly Lazy<TokenizeToSequenceTransformer[]> Tokenizers = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = Load(new[] { new TextRow { Text = "Good film, 👍🏽 café 東京 naïve" }, new TextRow { Text = "boring" } });
        return
        [
            ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(data),
            ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", TokenGranularity.Character, addBeginEnd: true).Fit(data),
        ];
    });

    [TestMethod]
    public void EncodingThenDecodingKnownWordsGivesTheTextBack()
    {
        Word.Array[1, 10].Sample(words =>
        {
            string text = string.Join(' ', words);
            var tokenizer = new MLContext(seed: 1).Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(new[] { new TextRow { Text = text } }));
            var ids = tokenizer.Encode(text);
            Assert.AreEqual(words.Length, ids.Length);
            Assert.AreEqual(text, tokenizer.Decode(ids));
        }, iter: 60, threads: 1);
    }

    [TestMethod]
    public void ArbitraryTextNeverThrowsAndGivesIdsWithinTheVocabulary()
    {
        AnyText.Sample(text =>
        {
            foreach (var tokenizer in Tokenizers.Value)
            {
                var ids = tokenizer.Encode(text);
                Assert.IsTrue(ids.All(id => id >= 1 && id < tokenizer.VocabularySize), $"ids {string.Join(",", ids)} outside [1, {tokenizer.VocabularySize})");
                _ = tokenizer.Decode(ids);
            }
        }, iter: Iterations * 4, threads: 1, print: t => string.Join(" ", t.Select(c => ((int)c).ToString("X4"))));
    }

    [TestMethod]
    public void PaddingGivesTheFixedLengthAndKeepsTheRightEnd()
    {
        var settings = Gen.Select(Gen.Int[1, 8], Gen.Bool, Gen.Bool);
        Gen.Select(settings, Gen.Int[-50, 50].Array[0, 12].Array[1, 4]).Sample(sample =>
        {
            var ((length, padAtStart, truncateAtStart), rows) = sample;
            var data = Ints(rows);
            var output = new MLContext().Transforms.PadSequence("Padded", length, "Values",
                padding: padAtStart ? SequenceEnd.Start : SequenceEnd.End, truncation: truncateAtStart ? SequenceEnd.Start : SequenceEnd.End,
                padValue: 99, lengthColumnName: "Kept").Fit(data).Transform(data);
            var padded = Column<int[]>(output, "Padded");
            var kept = Column<int>(output, "Kept");
            for (int r = 0; r < rows.Length; r++)
            {
                var source = rows[r];
                int keep = Math.Min(length, source.Length);
                Assert.AreEqual(length, padded[r].Length);
                Assert.AreEqual(keep, kept[r]);
                var expectedKept = truncateAtStart ? source[(source.Length - keep)..] : source[..keep];
                var actualKept = padAtStart ? padded[r][(length - keep)..] : padded[r][..keep];
                CollectionAssert.AreEqual(expectedKept, actualKept);
                var pads = padAtStart ? padded[r][..(length - keep)] : padded[r][keep..];
                Assert.IsTrue(pads.All(v => v == 99));
            }
        }, iter: Iterations, threads: 1);
    }

    [TestMethod]
    public void InverseOfNormalizeGivesTheValueBack()
    {
        var values = Gen.Float[-1e4f, 1e4f].Array[1, 12].Array[1, 5];
        Gen.Select(values, Gen.Bool, Gen.Int[1, 3]).Sample(sample =>
        {
            var (rows, minMax, features) = sample;
            // Whole steps only: every row's length must be a multiple of the feature count.
            rows = rows.Select(r => r[..(r.Length / features * features)]).ToArray();
            if (rows.All(r => r.Length == 0))
                return;
            var normalizer = new MLContext().Transforms.NormalizeSequence("Normalized", "Values",
                minMax ? NormalizationMode.MinMax : NormalizationMode.MeanStdDev, features).Fit(Floats(rows));
            foreach (var row in rows)
            {
                var normalized = row.Select((x, i) => normalizer.Normalize(x, i % features)).ToArray();
                var restored = new float[row.Length];
                normalizer.Inverse(normalized, restored);
                for (int i = 0; i < row.Length; i++)
                    Assert.AreEqual(row[i], restored[i], 1e-5f * Math.Max(1f, Math.Abs(row[i])) + 1e-3f, $"element {i}");
            }
        }, iter: Iterations, threads: 1);
    }
}
