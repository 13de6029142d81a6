using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

[TestClass]
public sealed class GeneratedTextTests
{
    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    private static TokenizeToSequenceTransformer Subwords()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Line { Text = "Hello world" } });
        return ml.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens", InputColumnName = "Text", Granularity = TokenGranularity.Subword,
            Subword = SubwordTokenizer.Tiktoken("gpt-4"), AddBeginEnd = true,
        }).Fit(data);
    }

    // The ids of a line without the tokenizer's <s> and </s>, as a language model generates them.
    private static int[] Inner(TokenizeToSequenceTransformer tokenizer, string text) => tokenizer.Encode(text)[1..^1];

    [TestMethod]
    public void WordsAreSpacedWithinALineAndCharactersConcatenated()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Line { Text = "the cat sat" } });
        var words = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(data);
        int[] ids = [.. Inner(words, "the cat"), TokenizeToSequenceTransformer.EndId, .. Inner(words, "sat")];
        CollectionAssert.AreEqual(new[] { "the", " cat", "\n", "sat" }, GeneratedText.Pieces(words, ids, TokenizeToSequenceTransformer.EndId).ToArray());
    }

    [TestMethod]
    public void ByteLevelSubwordsThatSplitACharacterAreDecodedTogether()
    {
        var tokenizer = Subwords();
        const string First = "Grüße 🙂 aus 東京", Second = "naïve 👍🏽!";
        // The test means something only if some character spans several byte-level tokens.
        int[] emoji = Inner(tokenizer, "🙂");
        Assert.AreNotEqual("🙂", string.Concat(emoji.Select(id => tokenizer.Decode([id]))), $"'🙂' should span several tokens: {string.Join(", ", emoji)}");

        int[] ids = [.. Inner(tokenizer, First), TokenizeToSequenceTransformer.EndId, .. Inner(tokenizer, Second)];
        var pieces = GeneratedText.Pieces(tokenizer, ids, TokenizeToSequenceTransformer.EndId).ToList();
        Assert.AreEqual(First + "\n" + Second, string.Concat(pieces));
        Assert.IsFalse(pieces.Any(piece => piece.Contains('\uFFFD')), "no piece may hold half a character: " + string.Join(" | ", pieces));
        // Still streamed: one piece per id, text as soon as a character is complete, not all at the end.
        Assert.AreEqual(ids.Length, pieces.Count);
        Assert.IsTrue(pieces.Count(piece => piece.Length > 0) > 6, string.Join(" | ", pieces));
        Assert.IsTrue(pieces.Any(piece => piece.Length == 0), "an id ending inside a character waits for the next");

        // Generation cut inside a character: the unfinished bytes come last, as the tokenizer decodes them.
        int[] cut = [.. Inner(tokenizer, "ok "), emoji[0]];
        var cutPieces = GeneratedText.Pieces(tokenizer, cut, TokenizeToSequenceTransformer.EndId).ToList();
        Assert.AreEqual(tokenizer.Decode(cut), string.Concat(cutPieces));
        Assert.AreEqual("ok ", string.Concat(cutPieces.Take(cut.Length)));
    }
}
