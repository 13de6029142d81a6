using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Recurrent.Tests.Text;

[TestClass]
public sealed class TokenizeToSequenceTests
{
    private sealed class Row
    {
        public string? Text { get; set; }
    }

    private sealed class Ids
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
    }

    private static readonly string[] Corpus = ["the cat sat", "the dog sat", "a cat, the dog!", "zebra"];

    private static IDataView Load(MLContext ml, IEnumerable<string?> texts) => ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Text = t }));

    [TestMethod]
    public void VocabularyIsOrderedByFrequencyThenOrdinalWithReservedIdsFirst()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(ml, Corpus));
        // Counts: the 3; cat, dog, sat 2; "!", ",", a, zebra 1 ("!" < "," < "a" < "zebra" ordinally).
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "the", "cat", "dog", "sat", "!", ",", "a", "zebra" }, model.Vocabulary.ToArray());
        Assert.AreEqual(10, model.VocabularySize);
        Assert.IsTrue(model.TryGetId("dog", out int dog));
        Assert.AreEqual(4, dog);
        Assert.IsFalse(model.TryGetId("horse", out _));
        CollectionAssert.AreEqual(new[] { 2, 3, 1, 7, 6 }, model.Encode("The cat horse , !"));
    }

    [TestMethod]
    public void MinimumFrequencyAndSizeCapCutTheVocabulary()
    {
        var ml = new MLContext(seed: 1);
        var frequent = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", minimumFrequency: 2).Fit(Load(ml, Corpus));
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "the", "cat", "dog", "sat" }, frequent.Vocabulary.ToArray());
        var capped = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: 4).Fit(Load(ml, Corpus));
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "the", "cat" }, capped.Vocabulary.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 1, 1 }, capped.Encode("the dog sat"));
    }

    [TestMethod]
    public void BeginAndEndWrapEverySequence()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(Load(ml, Corpus));
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "<s>", "</s>", "the" }, model.Vocabulary.Take(5).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 4, 1, 3 }, model.Encode("the unicorn"));
        CollectionAssert.AreEqual(new[] { 2, 3 }, model.Encode("   "));
        Assert.AreEqual("the <unk>", model.Decode([2, 4, 1, 3, 0, 0]));
        // Reserved names in the data are unknown words, never reserved ids.
        CollectionAssert.AreEqual(new[] { 2, 1, 3 }, model.Encode("<s>"));
    }

    [TestMethod]
    public void WordsAndCharactersRoundTrip()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, ["hello world, again", "abc cab"]);
        var words = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(data);
        Assert.AreEqual("hello world , again", words.Decode(words.Encode("Hello   world, again")));
        var characters = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", TokenGranularity.Character).Fit(data);
        Assert.AreEqual("abc cab", characters.Decode(characters.Encode("abc cab")));
        Assert.AreEqual("hello <unk>", characters.Decode(characters.Encode("hello z")));
    }

    [TestMethod]
    [DataRow(PunctuationHandling.Separate, "hi , you !")]
    [DataRow(PunctuationHandling.Remove, "hi you")]
    [DataRow(PunctuationHandling.Keep, "hi, you!")]
    public void PunctuationHandlingIsApplied(PunctuationHandling handling, string expected)
    {
        var ml = new MLContext(seed: 1);
        var options = new TokenizeToSequenceEstimator.Options { OutputColumnName = "Tokens", InputColumnName = "Text", Punctuation = handling };
        var model = ml.Transforms.Text.TokenizeToSequence(options).Fit(Load(ml, ["Hi, you!"]));
        Assert.AreEqual(expected, model.Decode(model.Encode("hi, you!")));
    }

    [TestMethod]
    public void PredictionEngineHandlesEdgeCasesAsDocumented()
    {
        var ml = new MLContext(seed: 1);
        string[] training = ["café au lait", "東京は 大きい", "👍🏽 great", "great day"];
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Fit(Load(ml, training));
        var engine = ml.Model.CreatePredictionEngine<Row, Ids>(model);
        Assert.AreEqual(0, engine.Predict(new Row { Text = "" }).Tokens.Length);
        Assert.AreEqual(0, engine.Predict(new Row { Text = null }).Tokens.Length);
        CollectionAssert.AreEqual(new[] { 1, 1 }, engine.Predict(new Row { Text = "xyzzy plugh" }).Tokens);
        var cafe = engine.Predict(new Row { Text = "CAFÉ" }).Tokens;
        Assert.AreEqual("café", model.Decode(cafe));
        // Decomposed é (e + combining accent) is normalized to the same token.
        CollectionAssert.AreEqual(cafe, model.Encode("cafe\u0301"));
        // No spaces in "東京は": one word.
        Assert.AreEqual(1, engine.Predict(new Row { Text = "東京は" }).Tokens.Length);
        Assert.AreNotEqual(1, engine.Predict(new Row { Text = "東京は" }).Tokens[0]);
        Assert.AreEqual("👍🏽 great", model.Decode(engine.Predict(new Row { Text = "👍🏽 great" }).Tokens));
        string longText = string.Join(' ', Enumerable.Repeat("great day", 5000));
        var longIds = engine.Predict(new Row { Text = longText }).Tokens;
        Assert.AreEqual(10000, longIds.Length);
        CollectionAssert.AreEqual(model.Encode(longText), longIds);
    }

    [TestMethod]
    public void CharactersKeepEmojiAndCombiningMarksWhole()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", TokenGranularity.Character).Fit(Load(ml, ["👍🏽 great", "東京は"]));
        Assert.IsTrue(model.TryGetId("👍🏽", out int thumb));
        Assert.IsTrue(model.Vocabulary.All(t => !char.IsSurrogate(t[0]) || t.Length >= 2));
        Assert.AreEqual(thumb, model.Encode("👍🏽")[0]);
        Assert.AreEqual(1, model.Encode("👍🏽").Length);
        Assert.AreEqual("東京は", model.Decode(model.Encode("東京は")));
    }

    [TestMethod]
    public void TiktokenSubwordsRoundTripAndSave()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = Load(ml, ["Hello world", "Tokenizers split unusual words"]);
        var options = new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens", InputColumnName = "Text", Granularity = TokenGranularity.Subword,
            Subword = SubwordTokenizer.Tiktoken("gpt-4"), AddBeginEnd = true,
        };
        var model = ml.Transforms.Text.TokenizeToSequence(options).Fit(data);
        var raw = TiktokenTokenizer.CreateForModel("gpt-4").EncodeToIds("Hello world");
        CollectionAssert.AreEqual(new[] { 2 }.Concat(raw.Select(id => id + 4)).Append(3).ToArray(), model.Encode("Hello world"));
        Assert.AreEqual("Tokenizers split unusual words", model.Decode(model.Encode("Tokenizers split unusual words")));
        Assert.IsTrue(model.VocabularySize > 100_000);
        Assert.AreEqual("<s>", model.Vocabulary[2]);
        Assert.IsTrue(model.TryGetId("Hello", out int hello));
        Assert.AreEqual(raw[0] + 4, hello);
        Assert.AreEqual("Hello", model.Vocabulary[hello]);

        ml.Model.Save(model, data.Schema, folder.File("tiktoken.zip"));
        var loaded = (TokenizeToSequenceTransformer)ml.Model.Load(folder.File("tiktoken.zip"), out _);
        Assert.AreEqual("gpt-4", loaded.Subword?.TiktokenModelName);
        CollectionAssert.AreEqual(model.Encode("Hello world"), loaded.Encode("Hello world"));
        CollectionAssert.AreEqual(
            ml.Data.CreateEnumerable<Ids>(model.Transform(data), false).SelectMany(r => r.Tokens).ToArray(),
            ml.Data.CreateEnumerable<Ids>(loaded.Transform(data), false).SelectMany(r => r.Tokens).ToArray());
    }

    [TestMethod]
    public void TokenizerObjectsWorkInMemoryButSavingExplainsWhatIsSavable()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, ["Hello world"]);
        var options = new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens", InputColumnName = "Text", Granularity = TokenGranularity.Subword,
            Subword = SubwordTokenizer.FromTokenizer(TiktokenTokenizer.CreateForModel("gpt-4")),
        };
        var model = ml.Transforms.Text.TokenizeToSequence(options).Fit(data);
        Assert.AreEqual("Hello world", model.Decode(model.Encode("Hello world")));
        using var stream = new MemoryStream();
        var error = Assert.Throws<InvalidOperationException>(() => ml.Model.Save(model, data.Schema, stream));
        StringAssert.Contains(error.Message, "SubwordTokenizer.Tiktoken");
    }

    [TestMethod]
    public void WrongColumnTypeAndSettingsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Number = 1f } });
        var chain = ml.Transforms.CopyColumns("Copy", "Number").Append(ml.Transforms.Text.TokenizeToSequence("Tokens", "Number"));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => chain.Fit(data));
        StringAssert.Contains(error.Message, "'Number'");
        StringAssert.Contains(error.Message, "expected a scalar text column");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeToSequence("T", "Text", maximumVocabularySize: 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeToSequence("T", "Text", minimumFrequency: 0));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Text.TokenizeToSequence("T", "Text", TokenGranularity.Subword));
    }

    [TestMethod]
    public void SavedModelGivesIdenticalRowsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = Load(ml, [.. Corpus, "", "東京は 👍🏽 unknown"]);
        var pipeline = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true)
            .Append(ml.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
            {
                OutputColumnName = "Chars", InputColumnName = "Text", Granularity = TokenGranularity.Character,
            }))
            .Append(ml.Transforms.Text.NormalizeText("Normalized", "Text"));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, folder.File("tokens.zip"));
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(data, stream);

        string[] columns = ["Tokens", "Chars", "Normalized"];
        var expected = RowFormatter.FormatTransform(model, data, columns);
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("tokens.zip"), folder.File("input.idv"), "transform", columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("tokens.zip"), folder.File("input.idv"), "rowmapper", columns));
    }
}
