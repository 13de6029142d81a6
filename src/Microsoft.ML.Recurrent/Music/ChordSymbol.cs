namespace Microsoft.ML.Recurrent.Music;

/// <summary>
/// A chord symbol read from the notes of an accompaniment: root and quality (<c>G</c>, <c>D7</c>, <c>Em</c>,
/// <c>F#dim</c>), an inversion written with its bass (<c>C/E</c>), or, for a chord no quality describes, the pitch
/// classes above its lowest note (<c>C[0.1.4.7.10]</c>). Its token is <c>ch:</c> and the name.
/// </summary>
public sealed record ChordSymbol
{
    // Pitch classes above the root of each quality; the empty name is the major triad.
    private static readonly (string Name, int[] Intervals)[] Qualities =
    [
        ("", [0, 4, 7]),
        ("m", [0, 3, 7]),
        ("7", [0, 4, 7, 10]),
        ("m7", [0, 3, 7, 10]),
        ("maj7", [0, 4, 7, 11]),
        ("6", [0, 4, 7, 9]),
        ("m6", [0, 3, 7, 9]),
        ("dim", [0, 3, 6]),
        ("dim7", [0, 3, 6, 9]),
        ("m7b5", [0, 3, 6, 10]),
        ("aug", [0, 4, 8]),
        ("sus4", [0, 5, 7]),
        ("sus2", [0, 2, 7]),
    ];

    private ChordSymbol(int root, string? quality, int? bass, int[] intervals)
    {
        Root = root;
        Quality = quality;
        Bass = bass;
        Intervals = intervals;
    }

    /// <summary>Pitch class (0 = C) of the root; for an unnamed chord, of its lowest note.</summary>
    public int Root { get; }

    /// <summary>The quality ("", "m", "7", "m7", "maj7", "6", "m6", "dim", "dim7", "m7b5", "aug", "sus4", "sus2"), or null for an unnamed chord.</summary>
    public string? Quality { get; }

    /// <summary>Pitch class of a bass other than the root (an inversion), else null.</summary>
    public int? Bass { get; }

    /// <summary>Pitch classes above the root, 0 first, ascending.</summary>
    public IReadOnlyList<int> Intervals { get; }

    /// <summary>The symbol, e.g. "D7", "C/E" or "C[0.1.4.7.10]".</summary>
    public string Name => Quality is null
        ? $"{PitchSpelling.PitchClassName(Root)}[{string.Join('.', Intervals)}]"
        : PitchSpelling.PitchClassName(Root) + Quality + (Bass is int bass ? "/" + PitchSpelling.PitchClassName(bass) : "");

    /// <summary>The token, e.g. <c>ch:D7</c>.</summary>
    public override string ToString() => "ch:" + Name;

    /// <inheritdoc />
    public bool Equals(ChordSymbol? other) => other is not null && other.Name == Name;

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>
    /// Names the chord sounded by <paramref name="pitches"/> (MIDI note numbers): the lowest note as root when a
    /// quality fits, else another chord tone as root over that bass, else the pitch classes above the lowest note.
    /// </summary>
    public static ChordSymbol Recognize(IEnumerable<int> pitches)
    {
        ArgumentNullException.ThrowIfNull(pitches);
        var notes = pitches.ToArray();
        if (notes.Length == 0)
            throw new ArgumentException("A chord needs at least one note.", nameof(pitches));
        int bass = KeySignature.Mod12(notes.Min());
        var classes = notes.Select(KeySignature.Mod12).Distinct().ToArray();
        if (Match(classes, bass) is { } rootQuality)
            return new ChordSymbol(bass, rootQuality.Name, null, rootQuality.Intervals);
        foreach (int root in classes.OrderBy(c => KeySignature.Mod12(c - bass)))
        {
            if (root != bass && Match(classes, root) is { } quality)
                return new ChordSymbol(root, quality.Name, bass, quality.Intervals);
        }
        return new ChordSymbol(bass, null, null, RelativeTo(classes, bass));
    }

    private static (string Name, int[] Intervals)? Match(int[] classes, int root)
    {
        var relative = RelativeTo(classes, root);
        foreach (var quality in Qualities)
        {
            if (quality.Intervals.SequenceEqual(relative))
                return quality;
        }
        return null;
    }

    private static int[] RelativeTo(IEnumerable<int> classes, int root) => classes.Select(c => KeySignature.Mod12(c - root)).Order().ToArray();

    /// <summary>
    /// MIDI note numbers of a close voicing: the root between G2 and F#3 with the chord tones above it, or for an
    /// inversion the bass between C2 and B2 with the chord above it. <see cref="Recognize"/> names them back as this chord.
    /// </summary>
    public IReadOnlyList<int> Voicing()
    {
        if (Bass is int bass)
        {
            int bassPitch = 36 + bass;
            int rootPitch = bassPitch + KeySignature.Mod12(Root - bass);
            return [bassPitch, .. Intervals.Select(i => rootPitch + i)];
        }
        int root = 43 + KeySignature.Mod12(Root - 7);
        return Intervals.Select(i => root + i).ToArray();
    }

    /// <summary>Reads a chord name such as "D7", "C/E" or "C[0.1.4.7.10]" (without <c>ch:</c>).</summary>
    public static bool TryParse(string name, out ChordSymbol? chord)
    {
        chord = null;
        if (string.IsNullOrEmpty(name) || !PitchSpelling.TryReadPitchClass(name, out int root, out int used))
            return false;
        string rest = name[used..];
        if (rest.StartsWith('['))
        {
            if (!rest.EndsWith(']'))
                return false;
            var parts = rest[1..^1].Split('.');
            var intervals = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out intervals[i]) || intervals[i] > 11)
                    return false;
            }
            if (intervals.Length == 0 || intervals[0] != 0 || !intervals.Zip(intervals.Skip(1)).All(p => p.First < p.Second))
                return false;
            chord = new ChordSymbol(root, null, null, intervals);
            return true;
        }
        int? bass = null;
        int slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            if (!PitchSpelling.TryReadPitchClass(rest[(slash + 1)..], out int bassClass, out int bassUsed) || slash + 1 + bassUsed != rest.Length || bassClass == root)
                return false;
            bass = bassClass;
            rest = rest[..slash];
        }
        foreach (var quality in Qualities)
        {
            if (quality.Name == rest)
            {
                chord = new ChordSymbol(root, quality.Name, bass, quality.Intervals);
                return true;
            }
        }
        return false;
    }
}
