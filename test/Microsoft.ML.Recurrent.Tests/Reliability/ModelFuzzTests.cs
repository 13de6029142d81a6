namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// Loading mutated model files: each of 200 mutations (bytes flipped, the file truncated, random bytes inserted — in the
/// raw .zip or inside one decompressed entry) must load and predict, or throw a managed exception, within a time box.
/// A native crash would take the test host down with it, so reaching the end is part of the assertion.
/// </summary>
[TestClass]
public sealed class ModelFuzzTests
{
    private static readonly TimeSpan TimeBox = TimeSpan.FromSeconds(30);

    private enum Mutation { Flip, Truncate, Insert }

    [TestMethod]
    [DoNotParallelize]
    public void TwoHundredMutatedFilesLoadOrFailWithAManagedException()
    {
        byte[] original = SavedModel.Zip;
        string[] entries = SavedModel.EntryNames(original);
        var outcomes = new Dictionary<string, int>();
        // Fixed seed: the same 200 files on every run, so a failure can be replayed.
        var random = new Random(20251123);
        for (int i = 0; i < 200; i++)
        {
            var mutation = (Mutation)random.Next(3);
            bool insideEntry = i % 2 == 1;
            string entry = entries[random.Next(entries.Length)];
            byte[] mutated = insideEntry
                ? SavedModel.RewriteEntry(original, entry, content => Mutate(content, mutation, random))
                : Mutate(original, mutation, random);
            string outcome = LoadWithinTimeBox(mutated, $"mutation {i} ({mutation} {(insideEntry ? entry : "raw file")})");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Console.WriteLine(string.Join(Environment.NewLine, outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Value,4} {o.Key}")));
        Assert.IsTrue(outcomes.Keys.Count(k => k != "loaded and predicted") >= 2, "the mutations should be rejected in more than one way");
    }

    private static string LoadWithinTimeBox(byte[] zip, string what)
    {
        string? outcome = null;
        var run = Task.Factory.StartNew(() =>
        {
            try
            {
                SavedModel.LoadAndScore(zip);
                outcome = "loaded and predicted";
            }
            catch (Exception e)
            {
                outcome = Describe(e);
            }
        }, TaskCreationOptions.LongRunning);
        Assert.IsTrue(run.Wait(TimeBox), $"{what}: loading did not finish within {TimeBox.TotalSeconds} s");
        Assert.IsFalse(outcome!.StartsWith(nameof(AccessViolationException), StringComparison.Ordinal), $"{what}: {outcome}");
        return outcome;
    }

    // The innermost exception names what the library or the zip reader rejected; ML.NET's reflection wrapper names nothing.
    private static string Describe(Exception e) => e.GetBaseException().GetType().Name;

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
