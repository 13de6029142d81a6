using System.Text;

namespace Microsoft.ML.Recurrent.Tests.Audio;

/// <summary>
/// Test recordings: deterministic signals, and WAV files written byte by byte here (not with the library's reader's
/// package), including deliberately bad ones.
/// </summary>
internal static class TestAudio
{
    /// <summary>Three tones and a little seeded noise: energy in many mel bands, so every coefficient is exercised.</summary>
    public static float[] Tones(int count, int sampleRate, int seed = 1, double gain = 1)
    {
        var random = new Random(seed);
        var samples = new float[count];
        for (int i = 0; i < count; i++)
        {
            double t = (double)i / sampleRate;
            samples[i] = (float)(gain * (0.5 * Math.Sin(2 * Math.PI * 440 * t) + 0.3 * Math.Sin(2 * Math.PI * 1330 * t + 1)
                + 0.1 * Math.Sin(2 * Math.PI * 3100 * t) + 0.05 * (random.NextDouble() - 0.5)));
        }
        return samples;
    }

    /// <summary>Rounds samples to what a 16-bit file holds (x · 32768 as a short, read back as short / 32768).</summary>
    public static float[] As16Bit(float[] samples) => samples.Select(s => ToShort(s) / 32768f).ToArray();

    private static short ToShort(float sample) => (short)Math.Clamp(Math.Round(sample * 32768.0), short.MinValue, short.MaxValue);

    /// <summary>A canonical 16-bit PCM WAV; with several channels, channel c holds the samples times (c + 1).</summary>
    public static void Write16(string path, float[] samples, int sampleRate, int channels = 1)
    {
        var data = new MemoryStream();
        using (var writer = new BinaryWriter(data, Encoding.ASCII, leaveOpen: true))
        {
            foreach (float sample in samples)
            {
                for (int c = 0; c < channels; c++)
                    writer.Write(ToShort(sample * (c + 1)));
            }
        }
        WriteRiff(path, formatTag: 1, channels, sampleRate, bitsPerSample: 16, data.ToArray());
    }

    /// <summary>A 32-bit IEEE float WAV (format tag 3).</summary>
    public static void WriteFloat(string path, float[] samples, int sampleRate)
    {
        var data = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples, 0, data, 0, data.Length);
        WriteRiff(path, formatTag: 3, 1, sampleRate, bitsPerSample: 32, data);
    }

    /// <summary>A RIFF/WAVE file with a 16-byte fmt chunk and the given data; <paramref name="declaredDataBytes"/> can lie about its length.</summary>
    public static void WriteRiff(string path, short formatTag, int channels, int sampleRate, short bitsPerSample, byte[] data, int? declaredDataBytes = null)
    {
        using var writer = new BinaryWriter(File.Create(path), Encoding.ASCII);
        int blockAlign = channels * bitsPerSample / 8;
        writer.Write("RIFF"u8);
        writer.Write(36 + (declaredDataBytes ?? data.Length));
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write(formatTag);
        writer.Write((short)channels);
        writer.Write(sampleRate);
        writer.Write(sampleRate * blockAlign);
        writer.Write((short)blockAlign);
        writer.Write(bitsPerSample);
        writer.Write("data"u8);
        writer.Write(declaredDataBytes ?? data.Length);
        writer.Write(data);
    }
}
