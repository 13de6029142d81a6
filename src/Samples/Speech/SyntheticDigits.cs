namespace Samples.Speech;

/// <summary>
/// Generated "spoken digits" for the no-data run: each digit is a short sequence of two or three tone segments with its
/// own pitch contour (so the order of the sounds matters, as in speech), spoken by a few "speakers" who shift the pitch
/// and the tempo, with noise. 8 kHz mono samples, file names as in the Free Spoken Digit Dataset.
/// </summary>
public static class SyntheticDigits
{
    /// <summary>Sample rate of the generated recordings.</summary>
    public const int SampleRate = 8000;

    // Per digit: the segments' frequencies in Hz (start -> end of a glide).
    private static readonly (double From, double To)[][] Contours =
    [
        [(300, 300), (700, 500)],
        [(900, 600), (400, 400)],
        [(500, 800), (800, 800), (300, 300)],
        [(350, 350), (350, 900)],
        [(1000, 1000), (600, 300)],
        [(450, 700), (700, 450)],
        [(800, 400), (400, 800)],
        [(250, 600), (600, 600), (900, 900)],
        [(650, 650), (300, 300), (650, 650)],
        [(1100, 700), (500, 500)],
    ];

    /// <summary>One recording: its digit, speaker, take, and samples in [-1, 1].</summary>
    public sealed record Recording(int Digit, string Speaker, int Take, float[] Samples)
    {
        /// <summary>The dataset's file name: digit_speaker_take.wav.</summary>
        public string FileName => $"{Digit}_{Speaker}_{Take}.wav";
    }

    /// <summary>The speakers of the generated set.</summary>
    public static readonly string[] Speakers = ["ada", "bo", "cy", "di"];

    /// <summary><paramref name="takes"/> recordings of every digit by every speaker.</summary>
    public static List<Recording> Generate(int takes, int seed)
    {
        var random = new Random(seed);
        var recordings = new List<Recording>();
        for (int s = 0; s < Speakers.Length; s++)
        {
            double pitch = 0.85 + 0.1 * s; // each speaker's voice
            for (int digit = 0; digit < 10; digit++)
            {
                for (int take = 0; take < takes; take++)
                    recordings.Add(new Recording(digit, Speakers[s], take, Speak(digit, pitch, random)));
            }
        }
        return recordings;
    }

    private static float[] Speak(int digit, double pitch, Random random)
    {
        double tempo = 0.8 + 0.4 * random.NextDouble();
        var samples = new List<float>();
        // Leading and trailing silence of random length, as in real recordings.
        AddNoise(samples, (int)(SampleRate * 0.05 * random.NextDouble()), random);
        double phase = 0;
        foreach (var (from, to) in Contours[digit])
        {
            int length = (int)(SampleRate * 0.12 * tempo);
            for (int i = 0; i < length; i++)
            {
                double t = (double)i / length;
                double frequency = pitch * (from + (to - from) * t);
                phase += 2 * Math.PI * frequency / SampleRate;
                double envelope = Math.Sin(Math.PI * t);
                samples.Add((float)(0.5 * envelope * Math.Sin(phase) + 0.02 * (random.NextDouble() - 0.5)));
            }
        }
        AddNoise(samples, (int)(SampleRate * 0.05 * random.NextDouble()), random);
        return samples.ToArray();
    }

    private static void AddNoise(List<float> samples, int count, Random random)
    {
        for (int i = 0; i < count; i++)
            samples.Add((float)(0.02 * (random.NextDouble() - 0.5)));
    }
}
