using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.Tests.Audio;
using Microsoft.ML.Recurrent.Tests.Support;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>ExtractMfcc: unreadable files, wrong sample formats, empty audio, mistyped columns and impossible settings.</summary>
internal static class MfccBadInputs
{
    private const string Component = "ExtractMfcc";
    private const int Rate = 8000;

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];
    }

    /// <summary>Fits on a good 8 kHz file and reads the features of a good row followed by <paramref name="writeBad"/>'s file (row 1).</summary>
    private static void ReadAfterAGoodFile(Func<TempFolder, string> writeBad)
    {
        using var folder = new TempFolder();
        TestAudio.Write16(folder.File("good.wav"), TestAudio.Tones(800, Rate), Rate);
        string bad = writeBad(folder);
        var data = Load(new[] { new PathRow { Path = folder.File("good.wav") }, new PathRow { Path = bad } });
        var model = new MLContext().Transforms.ExtractMfcc("Features", "Path").Fit(data);
        _ = Column<float[]>(model.Transform(data), "Features");
    }

    private static float[][] FromSamples(params float[][] rows)
    {
        var data = Load(rows.Select(r => new SamplesRow { Samples = r }));
        return Column<float[]>(new MLContext().Transforms.ExtractMfcc("Features", "Samples", sampleRate: Rate).Fit(data).Transform(data), "Features");
    }

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Error<FileNotFoundException>(Component, "missing file", () =>
            ReadAfterAGoodFile(folder => folder.File("absent.wav")), "row 1", "'Path'", "absent.wav");
        yield return BadInputCase.Error<InvalidDataException>(Component, "not a WAV file", () =>
            ReadAfterAGoodFile(folder =>
            {
                File.WriteAllText(folder.File("notes.wav"), "these are not samples");
                return folder.File("notes.wav");
            }), "row 1", "notes.wav", "WAV");
        yield return BadInputCase.Error<InvalidDataException>(Component, "μ-law encoding", () =>
            ReadAfterAGoodFile(folder =>
            {
                TestAudio.WriteRiff(folder.File("mulaw.wav"), formatTag: 7, channels: 1, Rate, bitsPerSample: 8, new byte[400]);
                return folder.File("mulaw.wav");
            }), "row 1", "mulaw.wav", "MuLaw", "expected PCM");
        yield return BadInputCase.Error<InvalidDataException>(Component, "empty data chunk", () =>
            ReadAfterAGoodFile(folder =>
            {
                TestAudio.WriteRiff(folder.File("empty.wav"), formatTag: 1, channels: 1, Rate, bitsPerSample: 16, []);
                return folder.File("empty.wav");
            }), "row 1", "empty.wav", "no samples");
        yield return BadInputCase.Result(Component, "file cut short", () =>
        {
            // NAudio clamps a data chunk that announces more bytes than the file holds (streaming encoders leave such
            // placeholder sizes), so the samples present are read: 600 bytes = 300 samples = 2 frames.
            using var folder = new TempFolder();
            TestAudio.WriteRiff(folder.File("cut.wav"), formatTag: 1, channels: 1, Rate, bitsPerSample: 16, new byte[600], declaredDataBytes: 2000);
            var data = Load(new[] { new PathRow { Path = folder.File("cut.wav") } });
            var features = Column<float[]>(new MLContext().Transforms.ExtractMfcc("Features", "Path").Fit(data).Transform(data), "Features");
            Assert.AreEqual(2 * 13, features[0].Length);
        });
        yield return BadInputCase.Error<InvalidDataException>(Component, "sample rate other than the fitted one", () =>
            ReadAfterAGoodFile(folder =>
            {
                TestAudio.Write16(folder.File("wide.wav"), TestAudio.Tones(1600, 16000), 16000);
                return folder.File("wide.wav");
            }), "row 1", "wide.wav", "16000 Hz", "8000 Hz");
        yield return BadInputCase.Error<InvalidDataException>(Component, "empty path", () =>
            ReadAfterAGoodFile(_ => ""), "row 1", "'Path'", "empty");
        yield return BadInputCase.Error<InvalidDataException>(Component, "empty samples vector", () =>
            FromSamples(TestAudio.Tones(400, Rate), []), "row 1", "'Samples'", "no samples");
        yield return BadInputCase.Error<InvalidDataException>(Component, "NaN sample", () =>
            FromSamples(TestAudio.Tones(400, Rate), [0.1f, float.NaN]), "row 1", "'Samples'", "NaN");
        yield return BadInputCase.Result(Component, "recording shorter than one frame", () =>
            Assert.AreEqual(13, FromSamples([0.2f, -0.1f, 0.05f])[0].Length));
        yield return BadInputCase.Error<ArgumentException>(Component, "samples column without a sample rate", () =>
            new MLContext().Transforms.ExtractMfcc("Features", "Samples").Fit(Load(new[] { new SamplesRow { Samples = [0.1f] } })), "'Samples'", "SampleRate");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column type", () =>
            new MLContext().Transforms.ExtractMfcc("Features", "Values", sampleRate: Rate).Fit(Ints([1, 2])), "'Values'", "WAV file paths");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "model fitted on paths applied to samples", () =>
        {
            using var folder = new TempFolder();
            TestAudio.Write16(folder.File("good.wav"), TestAudio.Tones(800, Rate), Rate);
            var model = new MLContext().Transforms.ExtractMfcc("Features", "Path").Fit(Load(new[] { new PathRow { Path = folder.File("good.wav") } }));
            var renamed = new MLContext().Transforms.CopyColumns("Path", "Samples").Fit(Load(new[] { new SamplesRow { Samples = [0.1f] } }));
            model.Transform(renamed.Transform(Load(new[] { new SamplesRow { Samples = [0.1f] } })));
        }, "'Path'", "as when the transform was fitted");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: more coefficients than filters", () =>
            new MLContext().Transforms.ExtractMfcc(new MfccEstimator.Options { OutputColumnName = "Features", CoefficientCount = 30, FilterCount = 26 }), "CoefficientCount");
    }
}
