using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// Training checkpoints (<see cref="TrainingOptions.CheckpointPath"/>): a run killed after an epoch resumes in another
/// process and ends with exactly the model of an uninterrupted run; checkpoints from other data or damaged files are
/// refused with a message naming the file.
/// </summary>
[TestClass]
public sealed class CheckpointResumeTests
{
    [TestMethod]
    [DoNotParallelize]
    public void AKilledTrainingResumesInAnotherProcessToTheUninterruptedModel() => KillAfterEpochTwoAndResume("train-with-checkpoint", scores: 160);

    /// <summary>The language model's checkpoint also carries the window cursor, the recurrent state and the between-layer dropout stream.</summary>
    [TestMethod]
    [DoNotParallelize]
    public void AKilledLanguageModelTrainingResumesInAnotherProcessToTheUninterruptedModel() => KillAfterEpochTwoAndResume("train-lm-with-checkpoint", scores: 150);

    /// <summary>The sequence-to-sequence checkpoint carries the run's generator, from which scheduled sampling and dropout draw.</summary>
    [TestMethod]
    [DoNotParallelize]
    public void AKilledSeq2SeqTrainingResumesInAnotherProcessToTheUninterruptedModel() => KillAfterEpochTwoAndResume("train-seq2seq-with-checkpoint", scores: 125);

    /// <summary>
    /// Runs the host's <paramref name="command"/> (5 epochs) uninterrupted, then again killed while it stalls after
    /// epoch 2, then resumed in a third process: the resumed process must train epochs 3 to 5 only and print the
    /// uninterrupted run's <paramref name="scores"/> scores exactly.
    /// </summary>
    private static void KillAfterEpochTwoAndResume(string command, int scores)
    {
        using var folder = new TempFolder();
        // The uninterrupted run first, then the interrupted one: one child at a time, each with one LibTorch thread.
        var uninterrupted = RunHost(command, folder.File("reference.ckpt"), folder.File("reference.zip"), stallAfterEpoch: 0);

        string checkpoint = folder.File("run.ckpt");
        using (var first = StartHost(command, checkpoint, folder.File("run.zip"), stallAfterEpoch: 2))
        {
            var lines = new List<string>();
            while (true)
            {
                var read = first.StandardOutput.ReadLineAsync();
                if (!read.Wait(TimeSpan.FromMinutes(3)) || read.Result is null)
                {
                    first.Kill(entireProcessTree: true);
                    Assert.Fail($"the training host stopped before epoch 2: {string.Join(" / ", lines)} {first.StandardError.ReadToEnd()}");
                }
                lines.Add(read.Result);
                if (read.Result == "epoch 2 done")
                    break;
            }
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        Assert.IsTrue(File.Exists(checkpoint), "no checkpoint after epoch 2");
        Assert.IsFalse(File.Exists(folder.File("run.zip")), "the killed run must not have saved a model");

        var resumed = RunHost(command, checkpoint, folder.File("run.zip"), stallAfterEpoch: 0);
        CollectionAssert.AreEqual(new[] { "epoch 3 done", "epoch 4 done", "epoch 5 done" }, resumed.Where(l => l.StartsWith("epoch", StringComparison.Ordinal)).ToArray(),
            "the second process must resume after epoch 2");
        var expectedScores = uninterrupted.Where(l => !l.StartsWith("epoch", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual(scores, expectedScores.Length);
        CollectionAssert.AreEqual(expectedScores, resumed.Where(l => !l.StartsWith("epoch", StringComparison.Ordinal)).ToArray(),
            "the resumed model's scores differ from the uninterrupted run's");
    }

    [TestMethod]
    [DoNotParallelize]
    public void ResumingInProcessGivesTheUninterruptedModel()
    {
        using var folder = new TempFolder();
        var rows = OrderTask.Generate(60, seed: 8);
        float[] Train(int epochs, string? checkpoint)
        {
            var ml = new MLContext(seed: 2);
            var data = ml.Data.LoadFromEnumerable(rows);
            var options = RecurrentBinaryTrainerTests.SmallOptions(epochs);
            options.ValidationFraction = 0.25;
            options.CheckpointPath = checkpoint;
            return ml.BinaryClassification.Trainers.Recurrent(options).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        }

        var expected = Train(4, null);
        string path = folder.File("order.ckpt");
        Train(2, path);
        CollectionAssert.AreEqual(expected, Train(4, path));
        // A finished checkpoint is kept: training again returns the same model without new epochs.
        CollectionAssert.AreEqual(expected, Train(4, path));
    }

    [TestMethod]
    public void ACheckpointFromOtherDataIsRefusedNamingTheFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("other.ckpt");
        var ml = new MLContext(seed: 2);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.CheckpointPath = path;
        ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(20, seed: 1)));

        var error = Assert.Throws<InvalidOperationException>(() =>
            ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(20, seed: 2))));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "other training data");
    }

    [TestMethod]
    public void ACheckpointWithOtherOptionsIsRefused()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(20, seed: 1));
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.CheckpointPath = folder.File("options.ckpt");
        ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        options.LearningRate = 0.5;
        var error = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(data));
        StringAssert.Contains(error.Message, "other training options");
    }

    [TestMethod]
    [DataRow("truncated")]
    [DataRow("flipped")]
    [DataRow("not a checkpoint")]
    public void ADamagedCheckpointIsReportedNotLoaded(string damage)
    {
        using var folder = new TempFolder();
        string path = folder.File("damaged.ckpt");
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(20, seed: 1));
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.CheckpointPath = path;
        ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        byte[] bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "flipped" => Flip(bytes, bytes.Length - 7),
            _ => "hello, world"u8.ToArray(),
        };
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(data));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "damaged");
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        bytes[at] ^= 0xFF;
        return bytes;
    }

    private static Process StartHost(string command, string checkpoint, string model, int stallAfterEpoch)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.ModelHost.dll"), command,
                     checkpoint, model, stallAfterEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        // One LibTorch thread (the library sizes its pool from the processor count): identical reductions in both runs.
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        return Process.Start(start)!;
    }

    private static List<string> RunHost(string command, string checkpoint, string model, int stallAfterEpoch)
    {
        using var process = StartHost(command, checkpoint, model, stallAfterEpoch);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the training host did not finish within 4 minutes");
        }
        Assert.AreEqual(0, process.ExitCode, $"training host failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
    }
}
