namespace Microsoft.ML.Recurrent.Music;

/// <summary>
/// A key signature as MIDI stores it: sharps (positive) or flats (negative), and major or minor. Its token is
/// <c>K:</c> and the key's name: <c>K:D</c>, <c>K:Bm</c>, <c>K:Bb</c>.
/// </summary>
/// <param name="SharpsOrFlats">Number of sharps (1 to 7) or flats (-1 to -7); 0 for C major or A minor.</param>
/// <param name="Minor">True for a minor key.</param>
public readonly record struct KeySignature(int SharpsOrFlats, bool Minor)
{
    private static readonly string[] MajorNames = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"];
    private static readonly string[] MinorNames = ["Abm", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm", "Am", "Em", "Bm", "F#m", "C#m", "G#m", "D#m", "A#m"];

    /// <summary>C major, what a melody without a key signature is read as.</summary>
    public static KeySignature CMajor => new(0, false);

    /// <summary>The key's name, e.g. "D", "Bm", "Bb".</summary>
    public string Name => (Minor ? MinorNames : MajorNames)[Check(SharpsOrFlats) + 7];

    /// <summary>Pitch class (0 = C) of the key's tonic.</summary>
    public int Tonic => Mod12(MajorTonic + (Minor ? 9 : 0));

    /// <summary>Pitch class of the tonic of the major key with this signature (the relative major of a minor key).</summary>
    private int MajorTonic => Mod12(7 * Check(SharpsOrFlats));

    /// <summary>Whether <paramref name="pitch"/> (a MIDI note number) belongs to the seven pitch classes of the signature's scale.</summary>
    public bool Contains(int pitch) => Array.IndexOf(MajorSteps, Mod12(pitch - MajorTonic)) >= 0;

    private static readonly int[] MajorSteps = [0, 2, 4, 5, 7, 9, 11];

    /// <summary>The token, e.g. <c>K:D</c>.</summary>
    public override string ToString() => "K:" + Name;

    /// <summary>Reads a key name such as "D", "Bm" or "Eb" (without <c>K:</c>).</summary>
    public static bool TryParse(string name, out KeySignature key)
    {
        int major = Array.IndexOf(MajorNames, name), minor = Array.IndexOf(MinorNames, name);
        key = major >= 0 ? new KeySignature(major - 7, false) : minor >= 0 ? new KeySignature(minor - 7, true) : default;
        return major >= 0 || minor >= 0;
    }

    private static int Check(int sharpsOrFlats) => sharpsOrFlats is >= -7 and <= 7 ? sharpsOrFlats
        : throw new ArgumentOutOfRangeException(nameof(SharpsOrFlats), sharpsOrFlats, "A key signature has from 7 flats (-7) to 7 sharps (7).");

    internal static int Mod12(int value) => (value % 12 + 12) % 12;
}
