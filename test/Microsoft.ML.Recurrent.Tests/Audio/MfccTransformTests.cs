using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Audio;

[TestClass]
public sealed class MfccTransformTests
{
    private const int Rate = 8000;

    public sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    public sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];
    }

    public sealed class BothRow
    {
        public string Path { get; set; } = "";

        [VectorType]
        public float[] Samples { get; set; } = [];
    }

    private static IDataView Samples(MLContext ml, params float[][] recordings)
        => ml.Data.LoadFromEnumerable(recordings.Select(r => new SamplesRow { Samples = r }));

    private static IDataView Paths(MLContext ml, params string[] paths)
        => ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }));

    private static float[][] Features(IDataView data, string column = "Features") => data.GetColumn<float[]>(column).ToArray();

    /// <summary>
    /// One frame computed from the definitions, in double precision and with no library: pre-emphasis, Hamming window,
    /// a direct DFT, triangles on the HTK mel axis, natural log, orthonormal DCT-II.
    /// </summary>
    private static double[] ReferenceFrame(float[] x, int frameIndex, int frame, int hop, int fft, int filters, int coefficients, double preEmphasis)
    {
        int start = frameIndex * hop;
        var y = new double[fft];
        for (int n = 0; n < frame; n++)
        {
            double previous = start + n > 0 ? x[start + n - 1] : 0;
            double hamming = 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / (frame - 1));
            y[n] = (x[start + n] - preEmphasis * previous) * hamming;
        }
        int bins = fft / 2 + 1;
        var power = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            double re = 0, im = 0;
            for (int n = 0; n < fft; n++)
            {
                re += y[n] * Math.Cos(2 * Math.PI * k * n / fft);
                im -= y[n] * Math.Sin(2 * Math.PI * k * n / fft);
            }
            power[k] = re * re + im * im;
        }
        static double Mel(double hertz) => 1127 * Math.Log(1 + hertz / 700);
        double top = Mel(Rate / 2.0);
        var edges = Enumerable.Range(0, filters + 2).Select(i => i * top / (filters + 1)).ToArray();
        var logEnergies = new double[filters];
        for (int f = 0; f < filters; f++)
        {
            double energy = 0;
            for (int k = 0; k < bins; k++)
            {
                double m = Mel(k * (double)Rate / fft);
                double weight = Math.Max(0, Math.Min((m - edges[f]) / (edges[f + 1] - edges[f]), (edges[f + 2] - m) / (edges[f + 2] - edges[f + 1])));
                energy += weight * power[k];
            }
            logEnergies[f] = Math.Log(Math.Max(energy, 1e-10));
        }
        var cepstrum = new double[coefficients];
        for (int j = 0; j < coefficients; j++)
        {
            double sum = 0;
            for (int i = 0; i < filters; i++)
                sum += logEnergies[i] * Math.Cos(Math.PI * j * (2 * i + 1) / (2.0 * filters));
            cepstrum[j] = Math.Sqrt(2.0 / filters) * sum * (j == 0 ? Math.Sqrt(0.5) : 1);
        }
        return cepstrum;
    }

    [TestMethod]
    public void FramesMatchAHandWrittenDftMelDctComputation()
    {
        var ml = new MLContext(seed: 1);
        float[] signal = TestAudio.Tones(2000, Rate);
        var model = ml.Transforms.ExtractMfcc("Features", "Samples", sampleRate: Rate).Fit(Samples(ml, signal));
        float[] features = Features(model.Transform(Samples(ml, signal)))[0];

        // 25 ms = 200 samples, 10 ms = 80: (2000 - 200) / 80 + 1 = 23 frames of 13 coefficients, FFT of 256.
        Assert.AreEqual(200, model.FrameLength);
        Assert.AreEqual(80, model.HopLength);
        Assert.AreEqual(23, model.FrameCount(signal.Length));
        Assert.AreEqual(23 * 13, features.Length);
        foreach (int frame in new[] { 0, 3, 22 })
        {
            var expected = ReferenceFrame(signal, frame, 200, 80, 256, 26, 13, 0.97);
            for (int j = 0; j < 13; j++)
                Assert.AreEqual(expected[j], features[frame * 13 + j], 2e-3 + 1e-4 * Math.Abs(expected[j]), $"frame {frame}, coefficient {j}");
        }
    }

    [TestMethod]
    public void DeltasFollowTheRegressionFormulaWithRepeatedEdges()
    {
        var ml = new MLContext(seed: 1);
        float[] signal = TestAudio.Tones(1400, Rate, seed: 2);
        var options = new MfccEstimator.Options { OutputColumnName = "Features", InputColumnName = "Samples", SampleRate = Rate, Deltas = MfccDeltas.DeltaDelta, DeltaWindow = 2 };
        var model = ml.Transforms.ExtractMfcc(options).Fit(Samples(ml, signal));
        float[] features = Features(model.Transform(Samples(ml, signal)))[0];
        float[] plain = ml.Transforms.ExtractMfcc("Features", "Samples", sampleRate: Rate).Fit(Samples(ml, signal)).ExtractFeatures(signal);
        Assert.AreEqual(39, model.FeaturesPerFrame);
        int frames = model.FrameCount(signal.Length);
        Assert.AreEqual(frames * 39, features.Length);

        double Delta(Func<int, int, double> value, int t, int j)
        {
            double sum = 0;
            for (int n = 1; n <= 2; n++)
                sum += n * (value(Math.Min(t + n, frames - 1), j) - value(Math.Max(t - n, 0), j));
            return sum / 10; // 2 · (1² + 2²)
        }
        double Coefficient(int t, int j) => features[t * 39 + j];
        double FirstDelta(int t, int j) => features[t * 39 + 13 + j];
        for (int t = 0; t < frames; t++)
        {
            for (int j = 0; j < 13; j++)
            {
                Assert.AreEqual(plain[t * 13 + j], features[t * 39 + j], 0, "the coefficients are the plain MFCC");
                Assert.AreEqual(Delta(Coefficient, t, j), FirstDelta(t, j), 1e-4, $"delta, frame {t}, coefficient {j}");
                Assert.AreEqual(Delta(FirstDelta, t, j), features[t * 39 + 26 + j], 1e-4, $"delta-delta, frame {t}, coefficient {j}");
            }
        }
    }

    [TestMethod]
    public void UtteranceNormalizationCentresAndScalesEachFeature()
    {
        var ml = new MLContext(seed: 1);
        float[] loud = TestAudio.Tones(3000, Rate, seed: 3, gain: 1), quiet = TestAudio.Tones(3000, Rate, seed: 3, gain: 0.1);
        MfccTransformer Fit(UtteranceNormalization normalization) => ml.Transforms.ExtractMfcc(new MfccEstimator.Options
        {
            OutputColumnName = "Features", InputColumnName = "Samples", SampleRate = Rate, Deltas = MfccDeltas.Delta, Normalization = normalization,
        }).Fit(Samples(ml, loud));

        var rows = Features(Fit(UtteranceNormalization.MeanVariance).Transform(Samples(ml, loud, quiet)));
        int width = 26, frames = rows[0].Length / width;
        for (int f = 0; f < width; f++)
        {
            var values = Enumerable.Range(0, frames).Select(t => (double)rows[0][t * width + f]).ToArray();
            double mean = values.Average();
            Assert.AreEqual(0, mean, 1e-4, $"feature {f} mean");
            Assert.AreEqual(1, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / frames), 1e-3, $"feature {f} deviation");
        }
        // A gain changes only coefficient 0 by a constant (log energy), which normalization removes. The quieter copy
        // has a relatively larger rounding error, hence the tolerance.
        for (int i = 0; i < rows[0].Length; i++)
            Assert.AreEqual(rows[0][i], rows[1][i], 5e-3, $"value {i}");

        var centred = Features(Fit(UtteranceNormalization.Mean).Transform(Samples(ml, loud)))[0];
        var raw = Fit(UtteranceNormalization.None).ExtractFeatures(loud);
        for (int f = 0; f < width; f++)
            Assert.AreEqual(raw[width + f] - raw[f], centred[width + f] - centred[f], 1e-4, "mean normalization only shifts");
    }

    [TestMethod]
    public void FilesAndSamplesGiveTheSameFrames()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        float[] signal = TestAudio.Tones(2400, Rate, seed: 4, gain: 0.6);
        float[] quantized = TestAudio.As16Bit(signal);
        TestAudio.Write16(folder.File("mono.wav"), signal, Rate);
        TestAudio.Write16(folder.File("stereo.wav"), signal, Rate, channels: 2);
        TestAudio.WriteFloat(folder.File("float.wav"), signal, Rate);
        float[] mixed = signal.Select(s => (TestAudio.As16Bit([s])[0] + TestAudio.As16Bit([2 * s])[0]) / 2f).ToArray();

        var options = new MfccEstimator.Options { OutputColumnName = "Features", InputColumnName = "Path", AudioFolder = folder.Path, Deltas = MfccDeltas.Delta };
        var fromFiles = ml.Transforms.ExtractMfcc(options).Fit(Paths(ml, "mono.wav"));
        Assert.AreEqual(Rate, fromFiles.SampleRate, "read from the first file");
        Assert.IsTrue(fromFiles.ReadsFiles);
        var byFile = Features(fromFiles.Transform(Paths(ml, "mono.wav", folder.File("stereo.wav"), "float.wav")));

        var fromSamples = ml.Transforms.ExtractMfcc(new MfccEstimator.Options
        {
            OutputColumnName = "Features", InputColumnName = "Samples", SampleRate = Rate, Deltas = MfccDeltas.Delta,
        }).Fit(Samples(ml, quantized));
        var bySamples = Features(fromSamples.Transform(Samples(ml, quantized, mixed, signal)));
        CollectionAssert.AreEqual(bySamples[0], byFile[0], "16-bit mono file = its samples");
        CollectionAssert.AreEqual(bySamples[2], byFile[2], "float file = its samples");
        for (int i = 0; i < byFile[1].Length; i++)
            Assert.AreEqual(bySamples[1][i], byFile[1][i], 1e-4, "stereo is averaged to mono");
        CollectionAssert.AreEqual(byFile[0], fromFiles.ExtractFeatures("mono.wav"), "ExtractFeatures = the column");
        CollectionAssert.AreEqual(bySamples[2], fromSamples.ExtractFeatures(signal));
    }

    [TestMethod]
    public void TheSampleRateSetsFrameLengthsAndShortRecordingsGetOneFrame()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        TestAudio.Write16(folder.File("wide.wav"), TestAudio.Tones(16000, 16000), 16000);
        var model = ml.Transforms.ExtractMfcc("Features", "Path").Fit(Paths(ml, folder.File("wide.wav")));
        Assert.AreEqual(16000, model.SampleRate);
        Assert.AreEqual(400, model.FrameLength);
        Assert.AreEqual(160, model.HopLength);
        Assert.AreEqual(98 * 13, Features(model.Transform(Paths(ml, folder.File("wide.wav"))))[0].Length);

        var shortModel = ml.Transforms.ExtractMfcc("Features", "Samples", sampleRate: Rate).Fit(Samples(ml, [0.1f]));
        var tiny = Features(shortModel.Transform(Samples(ml, TestAudio.Tones(50, Rate), [0f])));
        Assert.AreEqual(13, tiny[0].Length, "50 samples (under one 200-sample frame) give one zero-padded frame");
        Assert.AreEqual(1, shortModel.FrameCount(50));
        Assert.IsTrue(tiny.All(row => row.All(float.IsFinite)), "digital silence stays finite (the log is floored)");
    }

    [TestMethod]
    public void SavedModelGivesIdenticalRowsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        TestAudio.Write16(folder.File("a.wav"), TestAudio.Tones(1800, Rate, seed: 5), Rate);
        TestAudio.Write16(folder.File("b.wav"), TestAudio.Tones(900, Rate, seed: 6, gain: 0.3), Rate);
        var rows = new[]
        {
            new BothRow { Path = folder.File("a.wav"), Samples = TestAudio.Tones(1000, Rate, seed: 7) },
            new BothRow { Path = folder.File("b.wav"), Samples = TestAudio.Tones(640, Rate, seed: 8) },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.ExtractMfcc("FromFile", "Path")
            .Append(ml.Transforms.ExtractMfcc(new MfccEstimator.Options
            {
                OutputColumnName = "FromSamples", InputColumnName = "Samples", SampleRate = Rate, CoefficientCount = 20, FilterCount = 30,
                Deltas = MfccDeltas.DeltaDelta, Normalization = UtteranceNormalization.MeanVariance, PreEmphasis = 0,
            }));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, folder.File("mfcc.zip"));
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(data, stream);

        string[] columns = ["FromFile", "FromSamples"];
        var expected = RowFormatter.FormatTransform(model, data, columns);
        Assert.AreEqual(2, expected.Count);
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("mfcc.zip"), folder.File("input.idv"), "transform", columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("mfcc.zip"), folder.File("input.idv"), "rowmapper", columns));

        var loaded = new MLContext().Model.Load(folder.File("mfcc.zip"), out _);
        var second = ((TransformerChain<ITransformer>)loaded).OfType<MfccTransformer>().Last();
        Assert.AreEqual(60, second.FeaturesPerFrame);
        Assert.AreEqual(UtteranceNormalization.MeanVariance, second.Normalization);
    }

    [TestMethod]
    public void GetOutputSchemaTellsTheTruth()
    {
        var ml = new MLContext(seed: 1);
        var data = Samples(ml, TestAudio.Tones(500, Rate));
        var estimator = ml.Transforms.ExtractMfcc("Features", "Samples", sampleRate: Rate, deltas: MfccDeltas.Delta);
        var model = estimator.Fit(data);
        var promised = model.GetOutputSchema(data.Schema)["Features"].Type;
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), promised);
        Assert.AreEqual(promised, model.Transform(data).Schema["Features"].Type);
        Assert.AreEqual(((VectorDataViewType)promised).ItemType, NumberDataViewType.Single);
    }
}

[TestClass]
[TestCategory(SharedData.Category)]
public sealed class SpokenDigitFeatureTests
{
    [TestMethod]
    public void EverySpokenDigitTestFileGivesTheExpectedNumberOfFiniteFrames()
    {
        string folder = SharedData.Require("spoken-digits/test");
        var files = Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal).ToArray();
        Assert.AreEqual(300, files.Length);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(files.Select(f => new MfccTransformTests.PathRow { Path = f }));
        var model = ml.Transforms.ExtractMfcc("Features", "Path", deltas: MfccDeltas.DeltaDelta).Fit(data);
        Assert.AreEqual(8000, model.SampleRate, "the files are 8 kHz");
        var features = model.Transform(data).GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            // Canonical 44-byte headers and 16-bit mono samples (SOURCES.md).
            int samples = (int)(new FileInfo(files[i]).Length - 44) / 2;
            Assert.AreEqual(model.FrameCount(samples) * 39, features[i].Length, files[i]);
            Assert.IsTrue(features[i].All(float.IsFinite), files[i]);
        }
    }
}
