using Microsoft.ML.Recurrent.Music;

namespace Samples.Music;

/// <summary>
/// Generated folk-like tunes for the no-data run: a key and a metre, then bars of notes that step through the scale
/// (mostly by step, sometimes by a leap), ending each four-bar phrase on the tonic, with a chord at each bar.
/// </summary>
public static class SyntheticTunes
{
    private static readonly int[] MajorSteps = [0, 2, 4, 5, 7, 9, 11];
    private static readonly (string Name, int Tonic)[] Keys = [("C", 60), ("G", 67), ("D", 62), ("F", 65)];

    /// <summary><paramref name="count"/> tunes of 8 bars each.</summary>
    public static List<Melody> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var tunes = new List<Melody>(count);
        for (int i = 0; i < count; i++)
            tunes.Add(Tune(random));
        return tunes;
    }

    private static Melody Tune(Random random)
    {
        var (name, tonic) = Keys[random.Next(Keys.Length)];
        KeySignature.TryParse(name, out var key);
        var meter = random.Next(2) == 0 ? TimeSignature.Common : new TimeSignature(6, 8);
        int quarter = Melody.StepsPerQuarter, eighth = quarter / 2;
        var events = new List<MelodyEvent> { MelodyEvent.KeyChange(key), MelodyEvent.MeterChange(meter) };
        int degree = 0;
        for (int bar = 0; bar < 8; bar++)
        {
            if (bar > 0)
                events.Add(MelodyEvent.BarLine);
            ChordSymbol.TryParse(bar % 4 == 3 ? Transpose(name, 7) : name, out var chord);
            events.Add(MelodyEvent.ChordChange(chord!));
            int remaining = meter.BarSteps;
            while (remaining > 0)
            {
                bool phraseEnd = bar % 4 == 3 && remaining <= quarter;
                int duration = meter.Denominator == 8 ? eighth : random.Next(3) == 0 ? eighth : quarter;
                duration = Math.Min(duration, remaining);
                degree = phraseEnd ? 0 : Math.Clamp(degree + (random.Next(5) == 0 ? random.Next(-4, 5) : random.Next(-1, 2)), -3, 9);
                int octave = (int)Math.Floor(degree / 7.0);
                int pitch = tonic + 12 * octave + MajorSteps[((degree % 7) + 7) % 7];
                events.Add(MelodyEvent.Note(pitch, duration));
                remaining -= duration;
            }
        }
        return new Melody(events);
    }

    private static string Transpose(string root, int semitones)
    {
        string[] names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
        return names[(Array.IndexOf(names, root) + semitones) % 12];
    }
}
