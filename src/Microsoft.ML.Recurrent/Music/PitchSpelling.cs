using System.Globalization;

namespace Microsoft.ML.Recurrent.Music;

/// <summary>Pitch names with sharps (C, C#, D, ... B) and octaves in scientific pitch notation (MIDI 60 = C4).</summary>
internal static class PitchSpelling
{
    private static readonly string[] Names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

    public static string PitchClassName(int pitchClass) => Names[KeySignature.Mod12(pitchClass)];

    /// <summary>"C4" for 60, "F#5" for 78, "C-1" for 0.</summary>
    public static string PitchName(int pitch) => PitchClassName(pitch) + (pitch / 12 - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a pitch class at the start of <paramref name="text"/>: a letter A-G, then an optional # or b.</summary>
    public static bool TryReadPitchClass(string text, out int pitchClass, out int used)
    {
        bool read = TryReadLetter(text, out int semitone, out used);
        pitchClass = KeySignature.Mod12(semitone);
        return read;
    }

    /// <summary>The letter's semitone above C plus the accidental, unwrapped: "Cb" is -1 and "B#" is 12.</summary>
    private static bool TryReadLetter(string text, out int semitone, out int used)
    {
        semitone = 0;
        used = 0;
        if (text.Length == 0 || text[0] is < 'A' or > 'G')
            return false;
        semitone = Array.IndexOf(Names, text[0].ToString());
        used = 1;
        if (text.Length > 1 && text[1] is '#' or 'b')
        {
            semitone += text[1] == '#' ? 1 : -1;
            used = 2;
        }
        return true;
    }

    /// <summary>Reads "F#5" or "C-1" (the whole text) as a MIDI note number in 0-127.</summary>
    public static bool TryParsePitch(string text, out int pitch)
    {
        pitch = 0;
        if (!TryReadLetter(text, out int semitone, out int used) || used == text.Length
            || !int.TryParse(text.AsSpan(used), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int octave) || octave is < -1 or > 9)
            return false;
        pitch = (octave + 1) * 12 + semitone;
        return pitch is >= 0 and <= 127;
    }
}
