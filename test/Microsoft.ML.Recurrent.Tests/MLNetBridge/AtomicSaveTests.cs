using Microsoft.ML.Data;
using System.Diagnostics;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.MLNetBridge;

[TestClass]
public sealed class AtomicSaveTests
{
    [TestMethod]
    public void KillingAProcessInTheMiddleOfASaveLeavesTheLastCompleteModel()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed: 1));
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        // A large embedding (about 40 MB) makes each save long enough to be interrupted.
        options.VocabularySize = 160_000;
        options.EmbeddingSize = 64;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        string source = folder.File("source.zip"), destination = folder.File("destination.zip");
        ml.Model.SaveAtomically(model, data.Schema, source);
        var expected = model.Transform(data).GetColumn<float>("Score").ToArray();

        var random = new Random(3);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var host = StartSaveLoop(source, destination);
            WaitForLine(host, "saved");
            Thread.Sleep(random.Next(50, 400));
            host.Kill(entireProcessTree: true);
            host.WaitForExit();

            var loaded = new MLContext().Model.Load(destination, out _);
            CollectionAssert.AreEqual(expected, loaded.Transform(data).GetColumn<float>("Score").ToArray(), $"attempt {attempt}");
        }
    }

    [TestMethod]
    public void SavingToAnUnwritableFolderFailsWithoutTouchingTheTarget()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(10, seed: 1));
        var model = ml.Transforms.CopyColumns("Copy", "Tokens").Fit(data);
        Assert.Throws<Exception>(() => ml.Model.SaveAtomically(model, data.Schema, "/proc/not-writable/model.zip"));
    }

    private static Process StartSaveLoop(string source, string destination)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.ModelHost.dll"), "save-loop", source, destination })
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static void WaitForLine(Process process, string line)
    {
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromMinutes(2)) || read.Result != line)
            Assert.Fail($"the save loop did not report a first save: {process.StandardError.ReadToEnd()}");
    }
}
