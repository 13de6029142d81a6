using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Support;
using NAudio.Wave;
using Samples.Speech;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The <c>speech</c> verb as a child process: on generated tone digits, on a folder of WAV files in the Free Spoken
/// Digit Dataset's layout (with a leave-one-speaker-out run), and on folders it must refuse.
/// </summary>
[TestClass]
public sealed class SpeechVerbTests
{
    [TestMethod]
    public void OnGeneratedDigitsItReportsAccuracyTheConfusionMatrixAndHowEarlyTheAnswerSettles()
    {
        using var folder = new TempFolder();
        string model = folder.File("speech.zip");
        var run = SamplesProcess.Run(folder.Path, null, "speech", "--epochs", "2", "--hidden", "16", "--model", model, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        StringAssert.Contains(run.Output, "Confusion (rows: true digit, columns: predicted):");
        StringAssert.Contains(run.Output, "Streaming: the answer frame by frame settles on its final value after");

        using var json = JsonDocument.Parse(run.Lines[^1]);
        var root = json.RootElement;
        Assert.AreEqual("speech", root.GetProperty("task").GetString());
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.HasCount(10, confusion);
        Assert.IsTrue(confusion.All(r => r.Length == 10));
        int total = confusion.Sum(r => r.Sum());
        Assert.AreEqual(80, total, "4 generated speakers x 10 digits x 2 test takes");
        // Accuracy and macro F1 from the matrix, computed here.
        double accuracy = Enumerable.Range(0, 10).Sum(k => confusion[k][k]) / (double)total;
        Assert.AreEqual(accuracy, root.GetProperty("accuracy").GetDouble(), 1e-9);
        double macroF1 = Enumerable.Range(0, 10).Average(k =>
        {
            double predicted = Enumerable.Range(0, 10).Sum(i => confusion[i][k]), actual = confusion[k].Sum();
            return predicted + actual == 0 ? 0 : 2.0 * confusion[k][k] / (predicted + actual);
        });
        Assert.AreEqual(macroF1, root.GetProperty("macroF1").GetDouble(), 1e-9);
        double frames = root.GetProperty("framesToFinalAnswer").GetDouble();
        Assert.IsTrue(frames >= 1, $"frames to the final answer {frames}");
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("speakerHeldOutAccuracy").ValueKind);
        Assert.IsTrue(File.Exists(model));
    }

    [TestMethod]
    public void OnAFolderOfWavFilesItTrainsAndHoldsOutEachSpeaker()
    {
        using var folder = new TempFolder();
        WriteRecordings(folder.File("train"), SyntheticDigits.Generate(takes: 2, seed: 1));
        WriteRecordings(folder.File("test"), SyntheticDigits.Generate(takes: 1, seed: 2));
        var run = SamplesProcess.Run(folder.Path, null, "speech", "--data", folder.Path, "--epochs", "1", "--hidden", "8", "--speaker-holdout", "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        StringAssert.Contains(run.Output, "80 training and 40 test recordings (WAV files), 4 speakers.");
        foreach (string speaker in SyntheticDigits.Speakers)
            StringAssert.Contains(run.Output, $"Speaker {speaker} held out: accuracy");
        using var json = JsonDocument.Parse(run.Lines[^1]);
        double heldOut = json.RootElement.GetProperty("speakerHeldOutAccuracy").GetDouble();
        Assert.IsTrue(heldOut is >= 0 and <= 1, $"held-out accuracy {heldOut}");
    }

    [TestMethod]
    public void FoldersItCannotReadAreRefusedNamingTheProblem()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty"));
        var empty = SamplesProcess.Run(folder.Path, null, "speech", "--data", folder.File("empty"), "--test", folder.File("empty"));
        Assert.AreEqual(2, empty.ExitCode, empty.Output);
        StringAssert.Contains(empty.Error, "holds no .wav recordings");

        Directory.CreateDirectory(folder.File("badly-named"));
        WriteRecordings(folder.File("badly-named"), SyntheticDigits.Generate(takes: 1, seed: 1).Take(3).ToList());
        File.Move(Path.Combine(folder.File("badly-named"), "0_ada_0.wav"), Path.Combine(folder.File("badly-named"), "zero-ada.wav"));
        var badName = SamplesProcess.Run(folder.Path, null, "speech", "--data", folder.File("badly-named"), "--test", folder.File("badly-named"));
        Assert.AreEqual(2, badName.ExitCode, badName.Output);
        StringAssert.Contains(badName.Error, "zero-ada.wav': expected a name digit_speaker_take.wav");

        var missing = SamplesProcess.Run(folder.Path, null, "speech", "--data", folder.File("no-such-folder"));
        Assert.AreEqual(2, missing.ExitCode);
        StringAssert.Contains(missing.Error, "--data must be an existing file or folder");
    }

    private static void WriteRecordings(string folder, IReadOnlyList<SyntheticDigits.Recording> recordings)
    {
        Directory.CreateDirectory(folder);
        foreach (var recording in recordings)
        {
            using var writer = new WaveFileWriter(Path.Combine(folder, recording.FileName), new WaveFormat(SyntheticDigits.SampleRate, 16, 1));
            writer.WriteSamples(recording.Samples, 0, recording.Samples.Length);
        }
    }
}
