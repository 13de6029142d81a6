using Microsoft.ML.Recurrent.Text;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>TokenizeToSequence: text that is missing, empty, unknown, unusual or in the wrong column.</summary>
internal static class TokenizeBadInputs
{
    private const string Component = "TokenizeToSequence";

    private static TokenizeToSequenceTransformer Fitted() => new MLContext(seed: 1).Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(Reviews));

    private static int[] TokensOf(string? text)
    {
        var tokenizer = Fitted();
        var viaEncode = tokenizer.Encode(text);
        var viaTransform = Column<int[]>(tokenizer.Transform(Load(new[] { new TextRow { Text = text } })), "Tokens")[0];
        CollectionAssert.AreEqual(viaEncode, viaTransform, "Encode and Transform disagree");
        return viaEncode;
    }

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Result(Component, "null text", () => Assert.AreEqual(0, TokensOf(null).Length));
        yield return BadInputCase.Result(Component, "empty text", () => Assert.AreEqual(0, TokensOf("").Length));
        yield return BadInputCase.Result(Component, "whitespace text", () => Assert.AreEqual(0, TokensOf(" \t\r\n ").Length));
        yield return BadInputCase.Result(Component, "all-unknown tokens", () =>
            CollectionAssert.AreEqual(new[] { 1, 1, 1 }, TokensOf("zebra quokka axolotl")));
        yield return BadInputCase.Result(Component, "text longer than any trained text", () =>
            Assert.AreEqual(5000, TokensOf(string.Join(' ', Enumerable.Repeat("good", 5000))).Length));
        yield return BadInputCase.Result(Component, "lone surrogates and control characters", () =>
            Assert.IsTrue(TokensOf("good \uD800 film \uDFFF\u0000\u200B").All(id => id >= 0 && id < Fitted().VocabularySize)));
        yield return BadInputCase.Result(Component, "decode of ids outside the vocabulary", () =>
            StringAssert.Contains(Fitted().Decode([2, 999_999, -5]), "<unk>"));
        yield return BadInputCase.Result(Component, "single row", () =>
            Assert.AreEqual(2 + 3, new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(Reviews.Take(1))).VocabularySize));
        yield return BadInputCase.Error<InvalidOperationException>(Component, "empty IDataView", () =>
            new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(Array.Empty<TextRow>())), "'Text'", "no tokens");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column name", () =>
            new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Review").Fit(Load(Reviews)), "'Review'", "Text");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column type", () =>
            new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Label").Fit(Load(Reviews)), "'Label'", "Boolean");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column at transform", () =>
            Fitted().Transform(Floats([1f])), "'Text'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: vocabulary size 1", () =>
            new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: 1), "MaximumVocabularySize");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: minimum frequency 0", () =>
            new MLContext().Transforms.Text.TokenizeToSequence("Tokens", "Text", minimumFrequency: 0), "MinimumFrequency");
    }
}
