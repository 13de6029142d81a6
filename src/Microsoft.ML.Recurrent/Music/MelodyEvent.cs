using System.Globalization;

namespace Microsoft.ML.Recurrent.Music;

/// <summary>What a <see cref="MelodyEvent"/> is.</summary>
public enum MelodyEventKind
{
    /// <summary>A key signature takes effect (token <c>K:D</c>).</summary>
    Key,

    /// <summary>A time signature takes effect (token <c>M:6/8</c>).</summary>
    Meter,

    /// <summary>A bar line (token <c>|</c>).</summary>
    Bar,

    /// <summary>The accompaniment changes to a chord (token <c>ch:G</c>).</summary>
    Chord,

    /// <summary>A melody note of a pitch and a duration (token <c>F#5:1/8</c>).</summary>
    Note,

    /// <summary>Silence in the melody (token <c>r:1/8</c>).</summary>
    Rest,
}

/// <summary>
/// One event of a melody, which is also one token of its text form: notes and rests advance time, bar lines, chord
/// changes, keys and metres mark the time where they stand. Durations count steps of 1/24 of a quarter note
/// (<see cref="Melody.StepsPerQuarter"/>), which holds sixteenths, triplets and thirty-seconds exactly, and are written
/// as fractions of a whole note: 12 steps is <c>1/8</c>, 36 is <c>3/8</c>, 8 is <c>1/12</c> (a triplet eighth).
/// </summary>
public sealed record MelodyEvent
{
    /// <summary>Longest note or rest accepted: eight whole notes.</summary>
    public const int MaximumDuration = 8 * 4 * Melody.StepsPerQuarter;

    private const int StepsPerWhole = 4 * Melody.StepsPerQuarter;

    private MelodyEvent(MelodyEventKind kind, int pitch = 0, int duration = 0, KeySignature key = default, TimeSignature meter = default, ChordSymbol? chord = null)
    {
        Kind = kind;
        Pitch = pitch;
        Duration = duration;
        Key = key;
        Meter = meter;
        Chord = chord;
    }

    /// <summary>What the event is.</summary>
    public MelodyEventKind Kind { get; }

    /// <summary>MIDI note number (60 = C4) of a note; 0 otherwise.</summary>
    public int Pitch { get; }

    /// <summary>Duration in steps of a note or rest; 0 otherwise.</summary>
    public int Duration { get; }

    /// <summary>The key of a <see cref="MelodyEventKind.Key"/> event.</summary>
    public KeySignature Key { get; }

    /// <summary>The time signature of a <see cref="MelodyEventKind.Meter"/> event.</summary>
    public TimeSignature Meter { get; }

    /// <summary>The chord of a <see cref="MelodyEventKind.Chord"/> event; null otherwise.</summary>
    public ChordSymbol? Chord { get; }

    /// <summary>A bar line.</summary>
    public static MelodyEvent BarLine { get; } = new(MelodyEventKind.Bar);

    /// <summary>A note of MIDI pitch 0-127 lasting 1 to <see cref="MaximumDuration"/> steps.</summary>
    public static MelodyEvent Note(int pitch, int duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pitch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pitch, 127);
        return new(MelodyEventKind.Note, pitch: pitch, duration: CheckDuration(duration));
    }

    /// <summary>A rest of 1 to <see cref="MaximumDuration"/> steps.</summary>
    public static MelodyEvent Rest(int duration) => new(MelodyEventKind.Rest, duration: CheckDuration(duration));

    /// <summary>A change of key.</summary>
    public static MelodyEvent KeyChange(KeySignature key)
    {
        _ = key.Name; // checks the range
        return new(MelodyEventKind.Key, key: key);
    }

    /// <summary>A change of time signature.</summary>
    public static MelodyEvent MeterChange(TimeSignature meter) => new(MelodyEventKind.Meter, meter: meter.Validated());

    /// <summary>A change of chord.</summary>
    public static MelodyEvent ChordChange(ChordSymbol chord)
    {
        ArgumentNullException.ThrowIfNull(chord);
        return new(MelodyEventKind.Chord, chord: chord);
    }

    private static int CheckDuration(int duration) => duration is >= 1 and <= MaximumDuration ? duration
        : throw new ArgumentOutOfRangeException(nameof(duration), duration, $"A duration is 1 to {MaximumDuration} steps of 1/{Melody.StepsPerQuarter} quarter note.");

    /// <summary>The event's token, e.g. <c>F#5:1/8</c>, <c>r:1/4</c>, <c>|</c>, <c>ch:D7</c>, <c>K:D</c>, <c>M:6/8</c>.</summary>
    public string Token => Kind switch
    {
        MelodyEventKind.Note => PitchSpelling.PitchName(Pitch) + ":" + FormatDuration(Duration),
        MelodyEventKind.Rest => "r:" + FormatDuration(Duration),
        MelodyEventKind.Bar => "|",
        MelodyEventKind.Chord => Chord!.ToString(),
        MelodyEventKind.Key => Key.ToString(),
        _ => Meter.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() => Token;

    /// <summary>Reads one token; false when it is not an event's token.</summary>
    public static bool TryParse(string token, out MelodyEvent? melodyEvent)
    {
        ArgumentNullException.ThrowIfNull(token);
        melodyEvent = null;
        if (token == "|")
        {
            melodyEvent = BarLine;
            return true;
        }
        if (token.StartsWith("K:", StringComparison.Ordinal))
        {
            if (!KeySignature.TryParse(token[2..], out var key))
                return false;
            melodyEvent = KeyChange(key);
            return true;
        }
        if (token.StartsWith("M:", StringComparison.Ordinal))
        {
            var parts = token[2..].Split('/');
            if (parts.Length != 2 || !TryParseInt(parts[0], out int numerator) || !TryParseInt(parts[1], out int denominator)
                || numerator is < 1 or > 32 || denominator is not (1 or 2 or 4 or 8 or 16 or 32))
                return false;
            melodyEvent = MeterChange(new TimeSignature(numerator, denominator));
            return true;
        }
        if (token.StartsWith("ch:", StringComparison.Ordinal))
        {
            if (!ChordSymbol.TryParse(token[3..], out var chord))
                return false;
            melodyEvent = ChordChange(chord!);
            return true;
        }
        int colon = token.IndexOf(':');
        if (colon <= 0 || !TryParseDuration(token[(colon + 1)..], out int duration))
            return false;
        string head = token[..colon];
        if (head == "r")
        {
            melodyEvent = Rest(duration);
            return true;
        }
        if (!PitchSpelling.TryParsePitch(head, out int pitch))
            return false;
        melodyEvent = Note(pitch, duration);
        return true;
    }

    /// <summary>Steps as a reduced fraction of a whole note: "1/8", "3/8", "1", "3/2".</summary>
    internal static string FormatDuration(int steps)
    {
        int divisor = (int)System.Numerics.BigInteger.GreatestCommonDivisor(steps, StepsPerWhole);
        int numerator = steps / divisor, denominator = StepsPerWhole / divisor;
        return denominator == 1 ? numerator.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{numerator}/{denominator}");
    }

    private static bool TryParseDuration(string text, out int steps)
    {
        steps = 0;
        var parts = text.Split('/');
        if (parts.Length > 2 || !TryParseInt(parts[0], out int numerator) || numerator < 1)
            return false;
        int denominator = 1;
        if (parts.Length == 2 && (!TryParseInt(parts[1], out denominator) || denominator < 1))
            return false;
        long scaled = (long)numerator * StepsPerWhole;
        if (scaled % denominator != 0)
            return false;
        steps = (int)Math.Min(scaled / denominator, int.MaxValue);
        return steps is >= 1 and <= MaximumDuration;
    }

    private static bool TryParseInt(string text, out int value)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
