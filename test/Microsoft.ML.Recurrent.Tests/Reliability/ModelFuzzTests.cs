using System.Security.Cryptography;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// What a damaged model file may do. Every entry this library writes carries its length and SHA-256 digest, so any
/// damage to one (a flipped bit anywhere, a cut, an inserted byte) must be reported as a damaged entry, by name.
/// Damage elsewhere — the .zip's own structure, ML.NET's headers and schema, files the loader never reads — must either
/// fail with a managed exception of the kinds the readers document, or leave a model that predicts exactly what the
/// intact one predicts: nothing may load and predict differently. A native crash would take the test host down with
/// it, so reaching the end is part of the assertion.
/// </summary>
[TestClass]
public sealed class ModelFuzzTests
{
    private static readonly TimeSpan TimeBox = TimeSpan.FromSeconds(30);

    private enum Mutation { Flip, Truncate, Insert }

    // The exceptions a reader throws for malformed input: the library's InvalidDataException, ML.NET's FormatException
    // and version InvalidOperationException, IOExceptions of the zip reader and assembly resolution (FileNotFound,
    // FileLoad, EndOfStream). Anything else (NullReference, IndexOutOfRange, InvalidCast, ...) is an unguarded read.
    private static readonly Type[] ReaderExceptions = [typeof(InvalidDataException), typeof(FormatException), typeof(InvalidOperationException), typeof(IOException)];

    [TestMethod]
    public void EveryFlipCutOrInsertionInAnEntryTheLibraryWritesIsDetected()
    {
        byte[] zip = SavedModel.Zip;
        var framed = SavedModel.EntryNames(zip).Where(name => IsFramed(SavedModel.EntryContent(zip, name))).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "Settings", "Vocabulary", "NetworkCount", "Weights0", "Story" }, framed.Select(Path.GetFileName).Distinct().ToArray(),
            "the saved model should hold the library's usual entries: " + string.Join(", ", framed));
        int checks = 0;
        foreach (string entry in framed)
        {
            byte[] content = SavedModel.EntryContent(zip, entry);
            string name = Path.GetFileName(entry);
            for (int position = 0; position < content.Length; position++)
            {
                byte[] flipped = (byte[])content.Clone();
                flipped[position] ^= (byte)(1 << (position % 8));
                ExpectDamaged(flipped, name, $"{entry}: bit {position % 8} of byte {position} flipped");
                ExpectDamaged(content[..position], name, $"{entry}: cut to {position} bytes");
                checks += 2;
            }
            for (int position = 0; position <= content.Length; position++)
            {
                ExpectDamaged([.. content[..position], 0x5A, .. content[position..]], name, $"{entry}: a byte inserted at {position}");
                checks++;
            }
        }
        Console.WriteLine($"{checks} damaged versions of {framed.Length} entries, each reported by name.");
    }

    [TestMethod]
    [DoNotParallelize]
    public void TwoHundredMutatedFilesFailClearlyOrPredictExactlyAsTheIntactModel()
    {
        byte[] original = SavedModel.Zip;
        float[] intact = SavedModel.LoadAndScore(original);
        string[] entries = SavedModel.EntryNames(original);
        var outcomes = new Dictionary<string, int>();
        // Fixed seed: the same 200 files on every run, so a failure can be replayed.
        var random = new Random(20251123);
        for (int i = 0; i < 200; i++)
        {
            var mutation = (Mutation)random.Next(3);
            bool insideEntry = i % 2 == 1;
            string entry = entries[random.Next(entries.Length)];
            bool framed = insideEntry && IsFramed(SavedModel.EntryContent(original, entry));
            byte[] mutated = insideEntry
                ? SavedModel.RewriteEntry(original, entry, content => Mutate(content, mutation, random))
                : Mutate(original, mutation, random);
            string what = $"mutation {i} ({mutation} {(insideEntry ? entry : "raw file")})";
            var (scores, error) = LoadWithinTimeBox(mutated, what);
            if (error is null)
            {
                Assert.IsFalse(framed, $"{what}: damage to an entry with a digest went unnoticed");
                CollectionAssert.AreEqual(intact, scores, $"{what}: the damaged model loaded and predicted differently from the intact one");
                outcomes["loaded, predictions unchanged"] = outcomes.GetValueOrDefault("loaded, predictions unchanged") + 1;
                continue;
            }
            var chain = Chain(error).ToList();
            Assert.IsFalse(chain.Any(e => e is NullReferenceException or IndexOutOfRangeException or InvalidCastException or AccessViolationException),
                $"{what}: an unguarded read: {error}");
            Assert.IsTrue(chain.Any(e => ReaderExceptions.Any(t => t.IsInstanceOfType(e))), $"{what}: not a reader's exception: {error}");
            if (framed)
            {
                string name = Path.GetFileName(entry);
                Assert.IsTrue(chain.Any(e => e is InvalidDataException && e.Message.StartsWith($"The model file is damaged: entry '{name}'", StringComparison.Ordinal)),
                    $"{what}: damage to '{name}' should be reported by name: {error}");
            }
            string outcome = error.GetBaseException().GetType().Name;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Console.WriteLine(string.Join(Environment.NewLine, outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Value,4} {o.Key}")));
    }

    private static void ExpectDamaged(byte[] entry, string name, string what)
    {
        using var reader = new BinaryReader(new MemoryStream(entry, writable: false));
        try
        {
            ModelStreams.ReadFramed(reader, "Component", name);
        }
        catch (InvalidDataException e) when (e.Message.StartsWith($"The model file is damaged: entry '{name}'", StringComparison.Ordinal))
        {
            return;
        }
        Assert.Fail($"{what}: read as intact");
    }

    // An entry in the library's framing: 8-byte length, 32-byte SHA-256 digest, then exactly that many bytes matching it.
    private static bool IsFramed(byte[] content) =>
        content.Length >= 40 && BitConverter.ToInt64(content, 0) == content.Length - 40
        && SHA256.HashData(content.AsSpan(40)).AsSpan().SequenceEqual(content.AsSpan(8, 32));

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
            yield return e;
    }

    private static (float[]? Scores, Exception? Error) LoadWithinTimeBox(byte[] zip, string what)
    {
        float[]? scores = null;
        Exception? error = null;
        var run = Task.Factory.StartNew(() =>
        {
            try
            {
                scores = SavedModel.LoadAndScore(zip);
            }
            catch (Exception e)
            {
                error = e;
            }
        }, TaskCreationOptions.LongRunning);
        Assert.IsTrue(run.Wait(TimeBox), $"{what}: loading did not finish within {TimeBox.TotalSeconds} s");
        return (scores, error);
    }

    private static byte[] Mutate(byte[] bytes, Mutation mutation, Random random)
    {
        if (bytes.Length == 0)
            return [(byte)random.Next(256)];
        switch (mutation)
        {
            case Mutation.Flip:
                byte[] flipped = (byte[])bytes.Clone();
                for (int n = random.Next(1, 9); n > 0; n--)
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
            case Mutation.Truncate:
                return bytes[..random.Next(bytes.Length)];
            default:
                byte[] inserted = new byte[random.Next(1, 65)];
                random.NextBytes(inserted);
                int at = random.Next(bytes.Length + 1);
                return [.. bytes[..at], .. inserted, .. bytes[at..]];
        }
    }
}
