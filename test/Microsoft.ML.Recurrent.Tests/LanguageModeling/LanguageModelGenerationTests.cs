using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

[TestClass]
public sealed class LanguageModelGenerationTests
{
    [TestMethod]
    public void TheSameSeedGivesTheSameTextAndStreamingMatchesBatch()
    {
        var model = TinyCorpus.Model.Model;
        var options = new GenerationOptions { MaximumTokens = 20, Seed = 5, StopAtEndOfSequence = false, Temperature = 1.5 };
        string first = model.Generate("the cat", options);
        Assert.AreEqual(first, model.Generate("the cat", options));
        Assert.AreEqual(first, string.Concat(model.GenerateTokens("the cat", options)));
        var others = Enumerable.Range(6, 5).Select(seed => model.Generate("the cat", options with { Seed = seed }));
        Assert.IsTrue(others.Any(text => text != first), "different seeds should give different samples");
        Assert.AreEqual(20, model.GenerateTokens("the cat", options).Count());
    }

    [TestMethod]
    public void ZeroTemperatureTinyTemperatureAndTopOneAreAllGreedy()
    {
        var model = TinyCorpus.Model.Model;
        var greedy = new GenerationOptions { MaximumTokens = 15, Temperature = 0, StopAtEndOfSequence = false };
        string expected = model.Generate("a dog", greedy);
        Assert.AreEqual(expected, model.Generate("a dog", greedy with { Temperature = 1e-6, Seed = 1 }));
        Assert.AreEqual(expected, model.Generate("a dog", greedy with { Temperature = 1, TopK = 1, Seed = 2 }));
        Assert.AreEqual(expected, model.Generate("a dog", greedy with { Temperature = 1, TopP = 1e-9, Seed = 3 }));
    }

    [TestMethod]
    public void LearnedStructureShowsInGreedyText()
    {
        // Every training line is "<subject> <verb> <object>"; after a subject the model must pick a verb.
        var model = TinyCorpus.Model.Model;
        string next = model.GenerateTokens("the cat", new GenerationOptions { Temperature = 0 }).First();
        CollectionAssert.Contains(new[] { "sees", "likes", "follows" }, next);
        string line = model.Generate("", new GenerationOptions { Temperature = 0 });
        Assert.IsTrue(line.Split(' ').Length >= 3, $"a generated line: '{line}'");
    }

    [TestMethod]
    public void APromptWithAnUnknownWordReadsItAsTheUnknownId()
    {
        var (ml, tokenizer, model, _) = TinyCorpus.Model;
        var options = new GenerationOptions { MaximumTokens = 8, Seed = 2, Temperature = 0.5 };
        // "zebra" is not in the vocabulary: the prompt is read as the tokenizer encodes it, </s> the <unk>.
        int the = tokenizer.Encode("the")[1];
        var expected = model.GenerateIds([TokenizeToSequenceTransformer.EndId, the, TokenizeToSequenceTransformer.UnknownId], options)
            .Select(id => tokenizer.Vocabulary[id]).ToArray();
        var generated = model.GenerateTokens("the zebra", options).Select(token => token.Trim()).ToArray();
        Assert.IsTrue(generated.Length > 0, "the continuation of 'the zebra'");
        CollectionAssert.AreEqual(expected, generated);

        // The same through the prompt column of a pipeline.
        var rows = ml.Data.LoadFromEnumerable(new[] { new TinyCorpus.Line { Text = "the cat sees a small tree", Prompt = "the zebra quokka" } });
        var text = tokenizer.Append(model).Transform(rows).GetColumn<string>("Generated").Single();
        Assert.IsNotNull(text);
    }

    [TestMethod]
    public void StopTokensEndGeneration()
    {
        var model = TinyCorpus.Model.Model;
        var options = new GenerationOptions { Temperature = 0, StopTokens = ["sees", "likes", "follows"] };
        Assert.AreEqual("", model.Generate("the cat", options));
        Assert.ThrowsExactly<ArgumentException>(() => model.Generate("the cat", options with { StopTokens = ["zebra"] }));
    }

    [TestMethod]
    public void SavedModelGivesIdenticalColumnsInAFreshProcess()
    {
        var (ml, tokenizer, model, data) = TinyCorpus.Model;
        var pipeline = tokenizer.Append(model);
        var rows = ml.Data.TakeRows(data, 6);
        using var folder = new TempFolder();
        ml.Model.Save(pipeline, rows.Schema, folder.File("lm.zip"));
        Assert.AreEqual("LanguageModeling", ModelInspector.ReadStories(folder.File("lm.zip")).Single().Task, "the saved model carries its story");
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(rows, stream);

        string[] columns = ["LogProbability", "Generated"];
        var expected = RowFormatter.FormatTransform(pipeline, rows, columns);
        Assert.IsTrue(expected.All(line => line.Split('\t')[1].Length > 0), string.Join("\n", expected));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("lm.zip"), folder.File("input.idv"), "transform", columns));

        var loaded = (TransformerChain<ITransformer>)ml.Model.Load(folder.File("lm.zip"), out _);
        var reloaded = (LanguageModelTransformer)loaded.Last();
        var options = new GenerationOptions { Seed = 4, MaximumTokens = 12 };
        Assert.AreEqual(model.Generate("my friend", options), reloaded.Generate("my friend", options));
        CollectionAssert.AreEqual(model.Vocabulary!.ToArray(), reloaded.Vocabulary!.ToArray());
    }
}
