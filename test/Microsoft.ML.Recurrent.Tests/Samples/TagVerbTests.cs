using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Support;
using global::Samples.Tag;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The <c>tag</c> verb (alias <c>ner</c>) reports what fits the tag set: per-tag scores and token accuracy for part of
/// speech read from CoNLL-U, with no entity F1 in its JSON; entity scores for IOB2 chunks read from CoNLL. Tiny
/// corpora and one epoch of a small network: the plumbing and the report, not the accuracy.
/// </summary>
[TestClass]
public sealed class TagVerbTests
{
    private static readonly (string Word, string Upos)[][] Patterns =
    [
        [("the", "DET"), ("small", "ADJ"), ("cat", "NOUN"), ("sleeps", "VERB"), (".", "PUNCT")],
        [("a", "DET"), ("dog", "NOUN"), ("sees", "VERB"), ("the", "DET"), ("bird", "NOUN"), (".", "PUNCT")],
        [("every", "DET"), ("old", "ADJ"), ("tree", "NOUN"), ("falls", "VERB"), (".", "PUNCT")],
    ];

    /// <summary>Sentences of the patterns with a random noun in each NOUN slot, as CoNLL-U.</summary>
    private static string[] PartOfSpeechCorpus(int sentences, int seed, out int tokens)
    {
        var random = new Random(seed);
        string[] nouns = ["cat", "dog", "bird", "tree", "house", "river"];
        var lines = new List<string>();
        tokens = 0;
        for (int s = 0; s < sentences; s++)
        {
            lines.Add($"# sent_id = {s + 1}");
            var pattern = Patterns[random.Next(Patterns.Length)];
            for (int i = 0; i < pattern.Length; i++)
            {
                var (word, upos) = pattern[i];
                if (upos == "NOUN")
                    word = nouns[random.Next(nouns.Length)];
                lines.Add($"{i + 1}\t{word}\t{word}\t{upos}\t_\t_\t0\tdep\t_\t_");
                tokens++;
            }
            lines.Add("");
        }
        return [.. lines];
    }

    [TestMethod]
    public void PartOfSpeechFromConllUGetsTokenAccuracyAndPerTagScoresAndNoEntityF1()
    {
        using var folder = new TempFolder();
        File.WriteAllLines(folder.File("train.conllu"), PartOfSpeechCorpus(120, seed: 1, out _));
        File.WriteAllLines(folder.File("test.conllu"), PartOfSpeechCorpus(30, seed: 2, out int testTokens));

        var result = SamplesProcess.Run(folder.Path, null, "tag", "--data", folder.File("train.conllu"), "--test", folder.File("test.conllu"),
            "--epochs", "1", "--hidden", "8", "--threads", "1", "--model", folder.File("pos.zip"), "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        CollectionAssert.Contains(result.Lines, "Tag set: 5 tags without chunk prefixes (ADJ, DET, NOUN, PUNCT, VERB): token accuracy and per-tag scores.");
        Assert.IsTrue(result.Lines.Any(l => l.StartsWith("Test: token accuracy ", StringComparison.Ordinal) && l.EndsWith($"({testTokens} tokens)", StringComparison.Ordinal)), result.Output);
        Assert.IsFalse(result.Output.Contains("F1 0.0000, precision", StringComparison.Ordinal), "no entity line");

        using var json = JsonDocument.Parse(result.Lines[^1]);
        var root = json.RootElement;
        Assert.AreEqual("tag", root.GetProperty("task").GetString());
        Assert.AreEqual("none", root.GetProperty("scheme").GetString());
        foreach (string entityField in new[] { "f1", "precision", "recall" })
            Assert.IsFalse(root.TryGetProperty(entityField, out _), $"the JSON claims an entity {entityField}");

        var perTag = root.GetProperty("perTag").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        CollectionAssert.IsSubsetOf(perTag.Keys.ToArray(), new[] { "ADJ", "DET", "NOUN", "PUNCT", "VERB" });
        // Independent checks from the JSON alone: supports add up to the test file's tokens, recall × support adds up to
        // the correct tokens (so to the token accuracy), and the macro F1 is the mean F1 of the tags in the test file.
        Assert.AreEqual(testTokens, perTag.Values.Sum(t => t.GetProperty("support").GetInt32()));
        double correct = perTag.Values.Sum(t => t.GetProperty("recall").GetDouble() * t.GetProperty("support").GetInt32());
        Assert.AreEqual(root.GetProperty("tokenAccuracy").GetDouble(), correct / testTokens, 1e-9);
        double macro = perTag.Values.Where(t => t.GetProperty("support").GetInt32() > 0).Average(t => t.GetProperty("f1").GetDouble());
        Assert.AreEqual(macro, root.GetProperty("macroF1").GetDouble(), 1e-9);
    }

    [TestMethod]
    public void ChunkTagsFromConllGetEntityScoresThroughTheNerAlias()
    {
        using var folder = new TempFolder();
        string path = folder.File("train.conll");
        // Token, a part-of-speech-like column, and IOB2 entity tags last (CoNLL-2003's layout, shorter).
        File.WriteAllLines(path, NerCorpus.Generate(80, seed: 1).SelectMany(s =>
            s.Tokens.Zip(s.Tags, (token, tag) => $"{token} {(char.IsUpper(token[0]) ? "NNP" : "XX")} {tag}").Append("")));

        var result = SamplesProcess.Run(folder.Path, null, "ner", "--data", path, "--epochs", "1", "--hidden", "8", "--threads", "1", "--json");
        Assert.AreEqual(0, result.ExitCode, result.Error + result.Output);
        CollectionAssert.Contains(result.Lines, "Tag set: IOB2 chunks of LOC, ORG, PER: entity-level scores.");
        using var json = JsonDocument.Parse(result.Lines[^1]);
        Assert.AreEqual("ner", json.RootElement.GetProperty("task").GetString());
        Assert.AreEqual("IOB2", json.RootElement.GetProperty("scheme").GetString());
        foreach (string field in new[] { "f1", "precision", "recall", "tokenAccuracy", "trainSeconds", "epochs" })
            Assert.IsTrue(json.RootElement.TryGetProperty(field, out _), field);
        Assert.IsFalse(json.RootElement.TryGetProperty("perTag", out _));

        var wrongColumn = SamplesProcess.Run(folder.Path, null, "tag", "--data", path, "--tag-column", "upos");
        Assert.AreEqual(2, wrongColumn.ExitCode);
        StringAssert.StartsWith(wrongColumn.Error, "error: --tag-column must be 'last' or a column position from 1 (0 holds the tokens) for a CoNLL file; got 'upos'.");
    }
}
