using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Text;

[TestClass]
public sealed class TextFolderTests
{
    private static string Write(TempFolder folder, string path, string text)
    {
        string full = Path.Combine(folder.Path, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    [TestMethod]
    public void LabelsComeFromFolderNamesAndTextFromTheFiles()
    {
        using var folder = new TempFolder();
        Write(folder, "pos/b.txt", "a great film");
        Write(folder, "pos/a.txt", "superb\nacting");
        Write(folder, "neg/c.txt", "dull é ü");
        Write(folder, "neg/notes.md", "not a document");
        Directory.CreateDirectory(Path.Combine(folder.Path, "empty"));
        var ml = new MLContext();

        var multiclass = ml.Data.LoadFromTextFolder(folder.Path);
        CollectionAssert.AreEqual(new[] { "neg", "pos", "pos" }, multiclass.GetColumn<string>("Label").ToArray());
        CollectionAssert.AreEqual(new[] { "dull é ü", "superb\nacting", "a great film" }, multiclass.GetColumn<string>("Text").ToArray());
        StringAssert.EndsWith(multiclass.GetColumn<string>("Source").First(), Path.Combine("neg", "c.txt"));

        var binary = ml.Data.LoadFromTextFolder(folder.Path, positiveClass: "pos");
        Assert.AreEqual(BooleanDataViewType.Instance, binary.Schema["Label"].Type);
        CollectionAssert.AreEqual(new[] { false, true, true }, binary.GetColumn<bool>("Label").ToArray());
    }

    [TestMethod]
    public void AFolderWithoutDocumentsOrWithOneClassIsRejectedNamingIt()
    {
        using var folder = new TempFolder();
        var ml = new MLContext();
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromTextFolder(folder.Path));
        StringAssert.Contains(empty.Message, folder.Path);
        StringAssert.Contains(empty.Message, "one subfolder per class");

        Write(folder, "pos/a.txt", "good");
        var single = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromTextFolder(folder.Path));
        StringAssert.Contains(single.Message, "single class ('pos'");

        Write(folder, "neg/a.txt", "bad");
        var wrongPositive = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromTextFolder(folder.Path, positiveClass: "positive"));
        StringAssert.Contains(wrongPositive.Message, "'positive'");

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ml.Data.LoadFromTextFolder(Path.Combine(folder.Path, "missing")));
    }
}
