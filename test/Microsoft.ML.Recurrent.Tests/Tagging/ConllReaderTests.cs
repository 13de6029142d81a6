using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class ConllReaderTests
{
    private const string Sample = """
        -DOCSTART- -X- -X- O

        EU NNP B-NP I-ORG
        rejects VBZ B-VP O
        German JJ B-NP I-MISC

        Peter NNP B-NP I-PER
        Blackburn NNP I-NP I-PER


        -DOCSTART- -X- -X- O
        BRUSSELS NNP B-NP I-LOC
        """;

    [TestMethod]
    public void ReadsSentencesSkippingDocstartAndBlankLines()
    {
        using var folder = new TempFolder();
        string path = folder.File("sample.conll");
        File.WriteAllText(path, Sample);
        var ml = new MLContext(seed: 1);
        var data = ml.SequenceTagging().LoadConll(path);
        var tokens = data.GetColumn<string[]>("Tokens").ToArray();
        var tags = data.GetColumn<string[]>("Tags").ToArray();
        Assert.AreEqual(3, tokens.Length);
        CollectionAssert.AreEqual(new[] { "EU", "rejects", "German" }, tokens[0]);
        CollectionAssert.AreEqual(new[] { "I-ORG", "O", "I-MISC" }, tags[0]);
        CollectionAssert.AreEqual(new[] { "Peter", "Blackburn" }, tokens[1]);
        CollectionAssert.AreEqual(new[] { "BRUSSELS" }, tokens[2]);
        CollectionAssert.AreEqual(new[] { "I-LOC" }, tags[2]);
    }

    [TestMethod]
    public void ChosenTagColumnAndSchemeConversion()
    {
        using var folder = new TempFolder();
        string path = folder.File("sample.conll");
        File.WriteAllText(path, Sample);
        var ml = new MLContext(seed: 1);
        var partOfSpeech = ml.SequenceTagging().LoadConll(path, tagColumnIndex: 1, tagColumnName: "Pos").GetColumn<string[]>("Pos").ToArray();
        CollectionAssert.AreEqual(new[] { "NNP", "VBZ", "JJ" }, partOfSpeech[0]);
        var bioes = ml.SequenceTagging().LoadConll(path, convertTo: TagScheme.Bioes).GetColumn<string[]>("Tags").ToArray();
        CollectionAssert.AreEqual(new[] { "S-ORG", "O", "S-MISC" }, bioes[0]);
        CollectionAssert.AreEqual(new[] { "B-PER", "E-PER" }, bioes[1]);
    }

    [TestMethod]
    public void AMalformedLineIsReportedWithFileAndLine()
    {
        using var folder = new TempFolder();
        string path = folder.File("broken.conll");
        File.WriteAllText(path, "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter\n");
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<FormatException>(() => ml.SequenceTagging().LoadConll(path));
        StringAssert.Contains(error.Message, "broken.conll, line 4");
        // A line with fewer columns than the others is as suspicious when the tag is counted from the end.
        File.WriteAllText(path, "EU NNP B-NP B-ORG\nrejects VBZ O\n");
        error = Assert.ThrowsExactly<FormatException>(() => ml.SequenceTagging().LoadConll(path));
        StringAssert.Contains(error.Message, "line 2");
    }
}
