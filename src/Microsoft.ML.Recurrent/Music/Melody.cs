namespace Microsoft.ML.Recurrent.Music;

/// <summary>A melody note placed in time: start and duration in steps (see <see cref="Melody.StepsPerQuarter"/>), MIDI pitch.</summary>
/// <param name="Start">Steps from the start of the first bar containing the melody.</param>
/// <param name="Duration">Length in steps.</param>
/// <param name="Pitch">MIDI note number (60 = C4).</param>
public readonly record struct TimedNote(int Start, int Duration, int Pitch);

/// <summary>A chord placed in time, sounding from <paramref name="Start"/> until <paramref name="End"/> (steps).</summary>
/// <param name="Start">Step where the chord starts.</param>
/// <param name="End">Step where the next chord starts, or the melody ends.</param>
/// <param name="Chord">The chord.</param>
public readonly record struct TimedChord(int Start, int End, ChordSymbol Chord);

/// <summary>
/// A melody as a sequence of <see cref="MelodyEvent"/>s: the key and metre, then notes, rests, bar lines and chord
/// changes in the order they happen. Its text form (<see cref="ToText"/>) is one token per event separated by spaces,
/// e.g. <c>K:D M:6/8 A5:1/8 | ch:D F#5:1/4 A5:1/8 ...</c>, which <c>TokenizeToSequence</c> (word granularity,
/// punctuation kept, no lower-casing) and the language-model trainer take like any text, so music reuses the text
/// pipeline. <see cref="MelodyMidi"/> reads and writes it as a standard MIDI file.
/// </summary>
/// <remarks>
/// Time: notes and rests advance time; the other events mark the time where they stand. Bar lines fall every
/// <see cref="TimeSignature.BarSteps"/> steps from the start of a bar, so the notes before the first bar line are a
/// pick-up (anacrusis) and are placed at the end of a bar: <see cref="Notes"/> starts the first full bar at a multiple
/// of the bar length, as abc2midi lays out the Nottingham tunes.
/// </remarks>
public sealed class Melody
{
    /// <summary>Steps per quarter note: 24 holds sixteenth notes, thirty-second notes and triplets exactly.</summary>
    public const int StepsPerQuarter = 24;

    private readonly MelodyEvent[] _events;
    private MelodyLayout? _layout;

    /// <summary>A melody of <paramref name="events"/>; it needs at least one note.</summary>
    public Melody(IEnumerable<MelodyEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _events = events.ToArray();
        if (Array.IndexOf(_events, null) is int missing and >= 0)
            throw new ArgumentException($"Event {missing} is null.", nameof(events));
        if (!_events.Any(e => e.Kind == MelodyEventKind.Note))
            throw new ArgumentException("A melody needs at least one note.", nameof(events));
    }

    /// <summary>The events in order.</summary>
    public IReadOnlyList<MelodyEvent> Events => _events;

    /// <summary>The melody notes placed in time, the pick-up before the first bar line ending where that bar line falls.</summary>
    public IReadOnlyList<TimedNote> Notes => Layout.Notes;

    /// <summary>The chords placed in time; each sounds until the next chord or the end of the melody.</summary>
    public IReadOnlyList<TimedChord> Chords => Layout.Chords;

    /// <summary>Step where the melody ends (the end of its last note or rest), counted like <see cref="TimedNote.Start"/>.</summary>
    public int End => Layout.End;

    internal MelodyLayout Layout => _layout ??= MelodyLayout.Of(_events);

    /// <summary>One token per event, separated by single spaces.</summary>
    public string ToText() => string.Join(' ', _events.Select(e => e.Token));

    /// <inheritdoc />
    public override string ToString() => ToText();

    /// <summary>
    /// Reads the text form (tokens separated by white space). A token that is no event throws a
    /// <see cref="FormatException"/> naming it and its position.
    /// </summary>
    public static Melody Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var events = new List<MelodyEvent>(tokens.Length);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!MelodyEvent.TryParse(tokens[i], out var melodyEvent))
                throw new FormatException($"Token {i} ('{tokens[i]}') is not a melody event; expected a note such as 'F#5:1/8', a rest 'r:1/4', a bar line '|', a chord 'ch:D7', a key 'K:D' or a metre 'M:6/8'.");
            events.Add(melodyEvent!);
        }
        if (!events.Any(e => e.Kind == MelodyEventKind.Note))
            throw new FormatException("The text holds no note, so it is no melody.");
        return new Melody(events);
    }
}

/// <summary>
/// Where every event of a melody falls in time. Written once for MIDI writing, piano rolls and statistics.
/// </summary>
internal sealed record MelodyLayout(IReadOnlyList<TimedNote> Notes, IReadOnlyList<TimedChord> Chords,
    IReadOnlyList<(int Time, KeySignature Key)> Keys, IReadOnlyList<(int Time, TimeSignature Meter)> Meters, int End)
{
    public static MelodyLayout Of(IReadOnlyList<MelodyEvent> events)
    {
        var meter = events.FirstOrDefault(e => e.Kind == MelodyEventKind.Meter)?.Meter ?? TimeSignature.Common;
        // The pick-up ends where the first bar line stands, at a multiple of the first metre's bar length.
        int firstBar = 0;
        bool hasBar = false;
        foreach (var e in events)
        {
            if (e.Kind == MelodyEventKind.Bar)
            {
                hasBar = true;
                break;
            }
            if (e.Kind is MelodyEventKind.Note or MelodyEventKind.Rest)
                firstBar += e.Duration;
        }
        int time = hasBar ? (meter.BarSteps - firstBar % meter.BarSteps) % meter.BarSteps : 0;

        var notes = new List<TimedNote>();
        var chords = new List<(int Start, ChordSymbol Chord)>();
        var keys = new List<(int, KeySignature)>();
        var meters = new List<(int, TimeSignature)>();
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case MelodyEventKind.Note:
                    notes.Add(new TimedNote(time, e.Duration, e.Pitch));
                    time += e.Duration;
                    break;
                case MelodyEventKind.Rest:
                    time += e.Duration;
                    break;
                case MelodyEventKind.Chord:
                    chords.Add((time, e.Chord!));
                    break;
                case MelodyEventKind.Key:
                    keys.Add((time, e.Key));
                    break;
                case MelodyEventKind.Meter:
                    meters.Add((time, e.Meter));
                    break;
            }
        }
        int end = time;
        var timedChords = new List<TimedChord>();
        for (int i = 0; i < chords.Count; i++)
        {
            int until = i + 1 < chords.Count ? chords[i + 1].Start : end;
            // A chord replaced at the same step, or standing after the last note, never sounds.
            if (until > chords[i].Start)
                timedChords.Add(new TimedChord(chords[i].Start, until, chords[i].Chord));
        }
        return new MelodyLayout(notes, timedChords, keys, meters, end);
    }
}
