using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class TagSchemesTests
{
    // One sentence in each scheme: PER "John Smith", PER "Mary" directly after it, O, LOC "New York City", O, ORG "IBM".
    private static readonly string[] Iob1 = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-LOC", "I-LOC", "O", "I-ORG"];
    private static readonly string[] Iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O", "B-ORG"];
    private static readonly string[] Bioes = ["B-PER", "E-PER", "S-PER", "O", "B-LOC", "I-LOC", "E-LOC", "O", "S-ORG"];

    [TestMethod]
    public void DetectTellsTheChunkSchemeOrNoneForFlatTagSets()
    {
        string[] iob2 = ["B-PER", "I-PER", "O", "B-LOC"];
        Assert.AreEqual(TagScheme.Iob2, TagSchemes.Detect([iob2, ["O", "O"]]));
        Assert.AreEqual(TagScheme.Iob1, TagSchemes.Detect([iob2, ["O", "I-ORG", "I-ORG"]]), "an entity that starts with I- after O");
        Assert.AreEqual(TagScheme.Iob1, TagSchemes.Detect([["I-PER", "B-PER"]]), "an entity that starts with I- at the sentence start");
        Assert.AreEqual(TagScheme.Iob1, TagSchemes.Detect([["B-PER", "I-LOC"]]), "I- after another type");
        Assert.AreEqual(TagScheme.Bioes, TagSchemes.Detect([iob2, ["S-LOC", "O", "B-ORG", "E-ORG"]]));
        Assert.AreEqual(TagScheme.Bioes, TagSchemes.Detect([["I-PER", "S-LOC"]]), "E- or S- decides, even after an IOB1-looking start");
        Assert.IsNull(TagSchemes.Detect([["O", "O"]]), "no entity");
        Assert.IsNull(TagSchemes.Detect([["NOUN", "VERB", "PUNCT"]]), "part of speech (UPOS)");
        Assert.IsNull(TagSchemes.Detect([iob2, ["B-NP", "NN"]]), "one flat tag among chunks");
        Assert.IsNull(TagSchemes.Detect([]));
        Assert.AreEqual(TagScheme.Iob1, TagSchemes.Detect([Iob1]));
        Assert.AreEqual(TagScheme.Iob2, TagSchemes.Detect([Iob2]));
        Assert.AreEqual(TagScheme.Bioes, TagSchemes.Detect([Bioes]));
    }

    [TestMethod]
    public void ConvertsBetweenAllThreeSchemes()
    {
        foreach (var source in new[] { Iob1, Iob2, Bioes })
        {
            CollectionAssert.AreEqual(Iob1, TagSchemes.ToIob1(source));
            CollectionAssert.AreEqual(Iob2, TagSchemes.ToIob2(source));
            CollectionAssert.AreEqual(Bioes, TagSchemes.ToBioes(source));
        }
    }

    [TestMethod]
    public void AllSchemesGiveTheSameSpans()
    {
        TagSpan[] expected = [new("PER", 0, 2), new("PER", 2, 3), new("LOC", 4, 7), new("ORG", 8, 9)];
        foreach (var tags in new[] { Iob1, Iob2, Bioes })
            CollectionAssert.AreEqual(expected, TagSchemes.Spans(tags).ToArray());
    }

    [TestMethod]
    public void SpansFollowConllevalForIllFormedSequences()
    {
        // I- after O starts an entity; a type change inside starts another; B- after B- of the same type is a new one.
        TagSpan[] expected = [new("PER", 1, 3), new("LOC", 3, 4), new("ORG", 4, 5), new("ORG", 5, 6)];
        CollectionAssert.AreEqual(expected, TagSchemes.Spans(["O", "I-PER", "I-PER", "I-LOC", "B-ORG", "B-ORG"]).ToArray());
        // E- closes an entity, so a following I- opens a new one.
        CollectionAssert.AreEqual(new TagSpan[] { new("PER", 0, 2), new("PER", 2, 3) }, TagSchemes.Spans(["B-PER", "E-PER", "I-PER"]).ToArray());
    }

    [TestMethod]
    public void TagsWithoutEntityPrefixesStayAsTheyAre()
    {
        string[] partOfSpeech = ["NNP", "VBZ", "DT", "NN", "."];
        CollectionAssert.AreEqual(partOfSpeech, TagSchemes.ToBioes(partOfSpeech));
        Assert.AreEqual(0, TagSchemes.Spans(partOfSpeech).Count);
    }
}
