using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// Damaged, forged and hostile model files: each fails with a managed exception that says what is wrong, within
/// bounded memory, and loading never runs code named by the file.
/// </summary>
[TestClass]
public sealed class ModelFileTests
{
    private static Exception LoadFailure(byte[] zip)
    {
        var thrown = Assert.Throws<Exception>(() => SavedModel.LoadAndScore(zip));
        // ML.NET invokes loaders through reflection; the library's exception is the innermost one.
        return thrown.GetBaseException();
    }

    [TestMethod]
    public void AnIntactFileLoadsAndScores()
        => Assert.AreEqual(SavedModel.Reviews.Length, SavedModel.LoadAndScore(SavedModel.Zip).Count(float.IsFinite));

    [TestMethod]
    public void AMissingWeightsStreamIsNamed()
    {
        var error = LoadFailure(SavedModel.RewriteEntry(SavedModel.Zip, "Weights0", _ => null));
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, "Weights0");
        StringAssert.Contains(error.Message, "missing");
    }

    [TestMethod]
    public void AMissingVocabularyIsNamed()
    {
        var error = LoadFailure(SavedModel.RewriteEntry(SavedModel.Zip, "Vocabulary", _ => null));
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, "Vocabulary");
    }

    [TestMethod]
    [DataRow(long.MaxValue, "claims")]
    [DataRow(-1L, "claims")]
    [DataRow(2L * 1024 * 1024 * 1024 - 4096, "truncated")]
    [DoNotParallelize]
    public void AnEntryClaimingAnAbsurdSizeFailsWithoutAllocatingIt(long claimed, string reason)
    {
        // The weights entry keeps its real bytes but its header claims up to 2 GB.
        byte[] zip = SavedModel.RewriteEntry(SavedModel.Zip, "Weights0", content =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(content, claimed);
            return content;
        });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = LoadFailure(zip);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, "Weights0");
        StringAssert.Contains(error.Message, reason);
        Assert.IsTrue(allocated < 64L * 1024 * 1024, $"loading allocated {allocated / 1024 / 1024} MB for an entry claiming {claimed} bytes");
    }

    [TestMethod]
    public void AFileNamingAForeignLoaderAssemblyFailsCleanlyWithoutLoadingIt()
    {
        // The header records the loader assembly's name as UTF-16; give it another name of the same length, and ship a
        // "dll" of that name inside the .zip: neither may be loaded from the file.
        const string ours = "Microsoft.ML.Recurrent", foreign = "Evil.Payload.Assembly!";
        Assert.AreEqual(ours.Length, foreign.Length);
        int replaced = 0;
        byte[] zip = SavedModel.Zip;
        foreach (string header in SavedModel.EntryNames(zip).Where(n => n.EndsWith("Model.key", StringComparison.Ordinal)))
        {
            zip = SavedModel.RewriteEntry(zip, header, content =>
            {
                replaced += Replace(content, Encoding.Unicode.GetBytes(ours), Encoding.Unicode.GetBytes(foreign))
                    + Replace(content, Encoding.UTF8.GetBytes(ours), Encoding.UTF8.GetBytes(foreign));
                return content;
            });
        }
        Assert.IsTrue(replaced > 0, "no header names the library's assembly where expected");
        zip = AddEntry(zip, "Evil.Payload.Assembly!.dll", [0x4D, 0x5A, 0x90, 0x00]);

        // ML.NET resolves the loader by the assembly name in the header, on the probing path only: the load fails cleanly.
        var error = LoadFailure(zip);
        Assert.IsInstanceOfType<FileNotFoundException>(error);
        StringAssert.Contains(error.Message, foreign);
        Assert.IsFalse(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.FullName?.StartsWith("Evil.", StringComparison.Ordinal) == true),
            "an assembly named by the model file was loaded");
    }

    private static int Replace(byte[] content, byte[] from, byte[] to)
    {
        int count = 0;
        for (int at = content.AsSpan().IndexOf(from); at >= 0; at = content.AsSpan().IndexOf(from))
        {
            to.CopyTo(content, at);
            count++;
        }
        return count;
    }

    private static byte[] AddEntry(byte[] zip, string name, byte[] content)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        using (var write = archive.CreateEntry(name).Open())
            write.Write(content);
        return stream.ToArray();
    }
}
