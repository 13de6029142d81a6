using System.Text.Json;
using Microsoft.ML.Recurrent.Music;
using Microsoft.ML.Recurrent.Tests.Support;
using Samples.Music;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The <c>music</c> verb as a child process: on generated tunes (generated MIDI files that read back, a piano roll,
/// the JSON contract), on folders of MIDI files in the Nottingham layout, and on folders it must refuse.
/// </summary>
[TestClass]
public sealed class MusicVerbTests
{
    [TestMethod]
    public void OnGeneratedTunesItScoresGeneratesReadableMidiAndPlots()
    {
        using var folder = new TempFolder();
        string output = folder.File("tunes");
        var run = SamplesProcess.Run(folder.Path, null, "music", "--epochs", "1", "--hidden", "16", "--generate", "3", "--out", output,
            "--plot", folder.File("roll.png"), "--model", folder.File("music.zip"), "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        StringAssert.Contains(run.Output, "best Markov chain (order ");
        StringAssert.Contains(run.Output, "Streaming: as the first test tune is played event by event");

        using var json = JsonDocument.Parse(run.Lines[^1]);
        var root = json.RootElement;
        Assert.AreEqual("music", root.GetProperty("task").GetString());
        double nll = root.GetProperty("nllPerEvent").GetDouble(), markov = root.GetProperty("markovNllPerEvent").GetDouble();
        Assert.IsTrue(nll > 0 && double.IsFinite(nll), $"NLL {nll}");
        Assert.IsTrue(markov > 0 && double.IsFinite(markov), $"Markov NLL {markov}");
        Assert.AreEqual(Math.Exp(nll), root.GetProperty("perplexity").GetDouble(), 1e-9 * Math.Exp(nll));
        Assert.IsTrue(root.GetProperty("markovOrder").GetInt32() is >= 1 and <= 3);
        var generated = root.GetProperty("generated").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.AreEqual(generated.Count, root.GetProperty("readableMidi").GetInt32(), "every written file reads back");
        foreach (string path in generated)
        {
            // Independently of the verb's own check: the library's reader finds a melody with notes in each file.
            Assert.IsTrue(MelodyMidi.Read(path).Notes.Count > 0, path);
        }
        Assert.AreEqual(1.0, root.GetProperty("trainingInKeyShare").GetDouble(), 1e-12, "generated training tunes stay in their key");
        Assert.IsTrue(File.Exists(Path.Combine(output, "continuation.mid")));
        if (generated.Count > 0)
            Assert.IsTrue(new FileInfo(folder.File("roll.png")).Length > 1000, "the piano roll");
        Assert.IsTrue(File.Exists(folder.File("music.zip")));
    }

    [TestMethod]
    public void OnAFolderOfMidiFilesItReadsTheNottinghamLayout()
    {
        using var folder = new TempFolder();
        foreach (var (part, count, seed) in new[] { ("train", 24, 1), ("valid", 4, 2), ("test", 4, 3) })
        {
            string partFolder = Path.Combine(folder.File("midi"), part);
            Directory.CreateDirectory(partFolder);
            int i = 0;
            foreach (var tune in SyntheticTunes.Generate(count, seed))
                MelodyMidi.Write(tune, Path.Combine(partFolder, $"tune-{i++}.mid"));
        }
        var run = SamplesProcess.Run(folder.Path, null, "music", "--data", folder.Path, "--epochs", "1", "--hidden", "8", "--generate", "1",
            "--out", folder.File("out"), "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        StringAssert.Contains(run.Output, "24 training, 4 validation and 4 test tunes (MIDI files)");
    }

    [TestMethod]
    public void FoldersItCannotReadAreRefusedNamingTheProblem()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty"));
        var empty = SamplesProcess.Run(folder.Path, null, "music", "--data", folder.File("empty"), "--valid", folder.File("empty"), "--test", folder.File("empty"));
        Assert.AreEqual(2, empty.ExitCode, empty.Output);
        StringAssert.Contains(empty.Error, "holds no .mid files");

        Directory.CreateDirectory(folder.File("train-only"));
        MelodyMidi.Write(SyntheticTunes.Generate(1, 1)[0], Path.Combine(folder.File("train-only"), "a.mid"));
        var noValid = SamplesProcess.Run(folder.Path, null, "music", "--data", folder.File("train-only"));
        Assert.AreEqual(2, noValid.ExitCode, noValid.Output);
        StringAssert.Contains(noValid.Error, "--valid is needed");

        File.WriteAllText(Path.Combine(folder.File("train-only"), "broken.mid"), "not a MIDI file");
        var broken = SamplesProcess.Run(folder.Path, null, "music", "--data", folder.File("train-only"), "--valid", folder.File("train-only"), "--test", folder.File("train-only"));
        Assert.AreEqual(2, broken.ExitCode, broken.Output);
        StringAssert.Contains(broken.Error, "broken.mid");
    }
}
