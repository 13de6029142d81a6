using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
public sealed class PretrainedEmbeddingsTests
{
    private static string WriteTemp(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        return path;
    }

    private static void Delete(string path) => File.Delete(path);

    [TestMethod]
    public void CopiesKnownWordsSkipsTheHeaderAndFillsTheRestDeterministically()
    {
        string path = WriteTemp("3 2\nthe 0.5 -1.25\ncat 2 3e-1\nunused 9 9\n");
        try
        {
            string[] vocabulary = ["<pad>", "cat", "dog", "the"];
            var matrix = PretrainedEmbeddings.Load(path, vocabulary, out int dimension);
            Assert.AreEqual(2, dimension);
            Assert.AreEqual(4, matrix.GetLength(0));
            Assert.AreEqual(2, matrix.GetLength(1));
            Assert.AreEqual(0f, matrix[0, 0]);
            Assert.AreEqual(0f, matrix[0, 1]);
            Assert.AreEqual(2f, matrix[1, 0]);
            Assert.AreEqual(0.3f, matrix[1, 1]);
            Assert.AreEqual(0.5f, matrix[3, 0]);
            Assert.AreEqual(-1.25f, matrix[3, 1]);
            Assert.IsTrue(matrix[2, 0] != 0 && Math.Abs(matrix[2, 0]) < 1, "an unknown word gets a small random vector");

            var again = PretrainedEmbeddings.Load(path, vocabulary, out _);
            CollectionAssert.AreEqual(matrix, again, "loading is deterministic");
        }
        finally
        {
            Delete(path);
        }
    }

    [TestMethod]
    public void ReadsGloVeWithoutAHeader()
    {
        string path = WriteTemp("a 1 2 3\r\nb 4 5 6\r\n");
        try
        {
            var matrix = PretrainedEmbeddings.Load(path, ["<pad>", "b"], out int dimension);
            Assert.AreEqual(3, dimension);
            CollectionAssert.AreEqual(new float[,] { { 0, 0, 0 }, { 4, 5, 6 } }, matrix);
        }
        finally
        {
            Delete(path);
        }
    }

    [TestMethod]
    public void ARowOfAnotherDimensionIsAFormatErrorNamingFileAndLine()
    {
        string path = WriteTemp("2 3\nthe 1 2 3\ncat 1 2\n");
        try
        {
            var error = Assert.ThrowsExactly<FormatException>(() => PretrainedEmbeddings.Load(path, ["<pad>", "the"], out _));
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, "line 3");
        }
        finally
        {
            Delete(path);
        }
    }

    [TestMethod]
    public void AMalformedNumberIsAFormatErrorNamingTheLine()
    {
        string path = WriteTemp("the 1 2\ncat 1 x\n");
        try
        {
            var error = Assert.ThrowsExactly<FormatException>(() => PretrainedEmbeddings.Load(path, ["<pad>", "cat"], out _));
            StringAssert.Contains(error.Message, "line 2");
        }
        finally
        {
            Delete(path);
        }
    }

    [TestMethod]
    public void AMissingFileIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.txt");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedEmbeddings.Load(path, ["<pad>"], out _));
        StringAssert.Contains(error.Message, path);
        Assert.AreEqual(path, error.FileName);
    }
}
