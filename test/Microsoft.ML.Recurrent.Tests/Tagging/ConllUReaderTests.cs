using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class ConllUReaderTests
{
    // Two sentences in the Universal Dependencies layout: comments, a multiword token ("vámonos" = "vamos" + "nos")
    // whose words follow it, and an empty node (8.1-style ID) that is not a word.
    private static readonly string Sample = string.Join('\n',
        "# newdoc id = test",
        "# sent_id = 1",
        "# text = The cat sleeps.",
        "1\tThe\tthe\tDET\tDT\tDefinite=Def\t2\tdet\t_\t_",
        "2\tcat\tcat\tNOUN\tNN\tNumber=Sing\t3\tnsubj\t_\t_",
        "3\tsleeps\tsleep\tVERB\tVBZ\t_\t0\troot\t_\tSpaceAfter=No",
        "3.1\tslept\tsleep\tVERB\tVBD\t_\t_\t_\t0:root\t_",
        "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_",
        "",
        "# sent_id = 2",
        "1-2\tvámonos\t_\t_\t_\t_\t_\t_\t_\t_",
        "1\tvamos\tir\tVERB\tVMIP1P0\t_\t0\troot\t_\t_",
        "2\tnos\tnosotros\tPRON\tPP1CP00\t_\t1\tobj\t_\t_",
        "",
        "");

    [TestMethod]
    public void ReadsWordsAndTheChosenTagSkippingCommentsMultiwordTokensAndEmptyNodes()
    {
        using var folder = new TempFolder();
        string path = folder.File("sample.conllu");
        File.WriteAllText(path, Sample);
        var ml = new MLContext(seed: 1);

        var upos = ml.SequenceTagging().LoadConllU(path);
        var tokens = upos.GetColumn<string[]>("Tokens").ToArray();
        Assert.AreEqual(2, tokens.Length);
        CollectionAssert.AreEqual(new[] { "The", "cat", "sleeps", "." }, tokens[0]);
        CollectionAssert.AreEqual(new[] { "vamos", "nos" }, tokens[1]);
        var tags = upos.GetColumn<string[]>("Tags").ToArray();
        CollectionAssert.AreEqual(new[] { "DET", "NOUN", "VERB", "PUNCT" }, tags[0]);
        CollectionAssert.AreEqual(new[] { "VERB", "PRON" }, tags[1]);

        var xpos = ml.SequenceTagging().LoadConllU(path, ConllUTagField.Xpos, tokenColumnName: "Words", tagColumnName: "Pos");
        CollectionAssert.AreEqual(new[] { "DT", "NN", "VBZ", "." }, xpos.GetColumn<string[]>("Pos").First());
        CollectionAssert.AreEqual(new[] { "vamos", "nos" }, xpos.GetColumn<string[]>("Words").Last());
    }

    [TestMethod]
    public void MalformedLinesAndMissingTagsAreReportedWithFileAndLine()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        string fields = folder.File("fields.conllu");
        File.WriteAllText(fields, "# sent_id = 1\n1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2 cat cat NOUN NN _ 0 root _ _\n");
        var error = Assert.ThrowsExactly<FormatException>(() => ml.SequenceTagging().LoadConllU(fields));
        StringAssert.StartsWith(error.Message, $"{fields}, line 3: expected 10 tab-separated fields (CoNLL-U), found 1");

        string noXpos = folder.File("noxpos.conllu");
        File.WriteAllText(noXpos, "1\tHello\thello\tINTJ\t_\t_\t0\troot\t_\t_\n\n");
        Assert.AreEqual(1, ml.SequenceTagging().LoadConllU(noXpos).GetColumn<string[]>("Tags").Count());
        var missing = Assert.ThrowsExactly<FormatException>(() => ml.SequenceTagging().LoadConllU(noXpos, ConllUTagField.Xpos));
        Assert.AreEqual($"{noXpos}, line 1: the XPOS field is '_' (not annotated in this file); read UPOS instead.", missing.Message);

        Assert.ThrowsExactly<FileNotFoundException>(() => ml.SequenceTagging().LoadConllU(folder.File("none.conllu")));
    }
}
