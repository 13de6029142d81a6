using NAudio.Wave;

namespace Microsoft.ML.Recurrent.Audio;

/// <summary>
/// Reads WAV files (through NAudio) as mono samples in [-1, 1]. Every error names the file and what was expected;
/// <c>where</c> says which row of which column asked for it.
/// </summary>
internal static class WaveAudio
{
    /// <summary>Encodings whose samples NAudio converts to floats: integer PCM of 8, 16, 24 or 32 bits, IEEE float of 32 or 64 bits.</summary>
    internal const string SupportedFormats = "PCM (8, 16, 24 or 32-bit integer) or IEEE float (32 or 64-bit) WAV";

    /// <summary>The file's sample rate in Hz, reading only its header.</summary>
    public static int ReadSampleRate(string path, string where)
    {
        using var reader = Open(path, where);
        CheckEncoding(reader.WaveFormat, path, where);
        return reader.WaveFormat.SampleRate;
    }

    /// <summary>
    /// All samples of the file, channels averaged to one, and its sample rate. Throws
    /// <see cref="FileNotFoundException"/> for a missing file and <see cref="InvalidDataException"/> for a file that
    /// is not a WAV file, holds another encoding or holds no samples. A data chunk announcing more bytes than the
    /// file holds is clamped by NAudio (streaming encoders write such sizes): the samples present are read.
    /// </summary>
    public static (float[] Samples, int SampleRate) Read(string path, string where)
    {
        using var reader = Open(path, where);
        var format = reader.WaveFormat;
        CheckEncoding(format, path, where);
        long frames = reader.SampleCount;
        if (frames == 0)
            throw new InvalidDataException($"{where}: the audio file '{path}' holds no samples (its data chunk is empty).");
        if (frames > int.MaxValue / Math.Max(format.Channels, 1))
            throw new InvalidDataException($"{where}: the audio file '{path}' claims {frames} samples per channel, more than this transform reads.");
        int channels = format.Channels;
        var interleaved = new float[frames * channels];
        var provider = reader.ToSampleProvider();
        int total = 0;
        while (total < interleaved.Length)
        {
            int read = provider.Read(interleaved.AsSpan(total));
            if (read == 0)
                break;
            total += read;
        }
        if (total < interleaved.Length)
            throw new InvalidDataException(
                $"{where}: the audio file '{path}' ends after {total / channels} of the {frames} samples its header announces (the file is cut short).");
        if (channels == 1)
            return (interleaved, format.SampleRate);
        // Several channels are mixed down by averaging, so a stereo copy of a mono recording gives the same features.
        var mono = new float[frames];
        for (long i = 0; i < frames; i++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++)
                sum += interleaved[i * channels + c];
            mono[i] = sum / channels;
        }
        return (mono, format.SampleRate);
    }

    private static WaveFileReader Open(string path, string where)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{where}: the audio file '{path}' does not exist.", path);
        try
        {
            return new WaveFileReader(path);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or ArgumentException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{where}: '{path}' cannot be read as a WAV file ({e.Message}). Expected {SupportedFormats}.", e);
        }
    }

    private static void CheckEncoding(WaveFormat format, string path, string where)
    {
        var encoding = format.Encoding;
        if (encoding == WaveFormatEncoding.Extensible && format is WaveFormatExtensible extensible)
        {
            // WAVE_FORMAT_EXTENSIBLE only wraps the real encoding (multichannel or high bit-depth files use it).
            if (extensible.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_PCM)
                encoding = WaveFormatEncoding.Pcm;
            else if (extensible.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT)
                encoding = WaveFormatEncoding.IeeeFloat;
        }
        bool supported = encoding switch
        {
            WaveFormatEncoding.Pcm => format.BitsPerSample is 8 or 16 or 24 or 32,
            WaveFormatEncoding.IeeeFloat => format.BitsPerSample is 32 or 64,
            _ => false,
        };
        if (!supported)
            throw new InvalidDataException(
                $"{where}: the audio file '{path}' holds {encoding} audio with {format.BitsPerSample} bits per sample; expected {SupportedFormats}. Convert it first (for example with sox).");
        if (format.SampleRate <= 0 || format.Channels <= 0)
            throw new InvalidDataException($"{where}: the audio file '{path}' declares {format.SampleRate} Hz and {format.Channels} channels; both must be positive.");
    }
}
