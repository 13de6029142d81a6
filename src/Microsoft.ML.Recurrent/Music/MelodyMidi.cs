using NAudio.Midi;

namespace Microsoft.ML.Recurrent.Music;

/// <summary>Which tracks of a MIDI file <see cref="MelodyMidi.Read(string, MelodyMidiOptions?)"/> reads.</summary>
public sealed class MelodyMidiOptions
{
    /// <summary>0-based track holding the melody. Default null: the first track with notes.</summary>
    public int? MelodyTrack { get; set; }

    /// <summary>Whether chord changes are read from an accompaniment track. Default true.</summary>
    public bool IncludeChords { get; set; } = true;

    /// <summary>0-based track holding the chords. Default null: the next track with notes after the melody's (none when there is none).</summary>
    public int? ChordTrack { get; set; }
}

/// <summary>
/// Reads a melody (and its chords) from a standard MIDI file into <see cref="MelodyEvent"/>s and writes melodies
/// back, with NAudio's MIDI file support.
/// </summary>
/// <remarks>
/// Reading: note times are rounded to steps of 1/24 quarter note. The melody is made monophonic: of notes starting
/// together the highest is kept, and a note still sounding when the next starts is cut there; a silence between
/// notes becomes a rest, split at bar lines. Notes longer than <see cref="MelodyEvent.MaximumDuration"/> are
/// shortened to it. Bar lines fall every bar length from the start of the file (the first time signature counts from
/// step 0, later ones from where they stand), which is how abc2midi places a pick-up before the first bar. Each
/// distinct onset of the chord track becomes a chord change, named by <see cref="ChordSymbol.Recognize"/> and placed
/// before the melody event that starts at or after it. A file without a key or time signature is read as C major
/// in 4/4. Writing lays the events out as <see cref="Melody.Notes"/> does: track 1 holds the melody (and the key and
/// time signatures), track 2 the chords in the voicing of <see cref="ChordSymbol.Voicing"/>, both on channel 1 at
/// velocity 90, 480 ticks per quarter note. Reading a written melody gives back its events when they are as reading
/// makes them (bar lines where the metre puts them, chords on note or rest onsets).
/// </remarks>
public static class MelodyMidi
{
    /// <summary>Ticks per quarter note of written files; a multiple of <see cref="Melody.StepsPerQuarter"/>.</summary>
    public const int WrittenTicksPerQuarter = 480;

    private const int Velocity = 90;
    private const int Channel = 1;

    /// <summary>
    /// Reads the melody of a MIDI file. Throws <see cref="FileNotFoundException"/> for a missing file and
    /// <see cref="InvalidDataException"/> naming the file for one that is not a standard MIDI file, uses SMPTE
    /// time, or has no notes in the melody track.
    /// </summary>
    public static Melody Read(string path, MelodyMidiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The MIDI file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path, options);
    }

    /// <summary>Reads the melody of a MIDI file from <paramref name="stream"/>; <paramref name="name"/> goes into error messages.</summary>
    public static Melody Read(Stream stream, string name, MelodyMidiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new MelodyMidiOptions();
        MidiFile file;
        try
        {
            file = new MidiFile(stream, strictChecking: false);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"'{name}' cannot be read as a standard MIDI file ({e.Message}).", e);
        }
        int ticksPerQuarter = file.DeltaTicksPerQuarterNote;
        if (ticksPerQuarter is <= 0 or >= 0x8000)
            throw new InvalidDataException($"'{name}' counts time in SMPTE frames, not ticks per quarter note; melodies need musical time.");
        int Step(long ticks) => (int)Math.Round(ticks * (double)Melody.StepsPerQuarter / ticksPerQuarter, MidpointRounding.AwayFromZero);

        var tracksWithNotes = Enumerable.Range(0, file.Tracks).Where(t => TrackNotes(file, t).Any()).ToList();
        int melodyTrack = options.MelodyTrack ?? (tracksWithNotes.Count > 0 ? tracksWithNotes[0] : -1);
        if (melodyTrack < 0 || melodyTrack >= file.Tracks)
            throw new InvalidDataException(options.MelodyTrack is null
                ? $"'{name}' holds no notes."
                : $"'{name}' has {file.Tracks} tracks; the melody track {melodyTrack} does not exist.");
        int? chordTrack = !options.IncludeChords ? null
            : options.ChordTrack ?? tracksWithNotes.Where(t => t > melodyTrack).Cast<int?>().FirstOrDefault();
        if (chordTrack is int c && (c < 0 || c >= file.Tracks))
            throw new InvalidDataException($"'{name}' has {file.Tracks} tracks; the chord track {c} does not exist.");

        var notes = Monophonic(TrackNotes(file, melodyTrack).Select(n => (Start: Step(n.Start), End: Step(n.End), n.Pitch)));
        if (notes.Count == 0)
            throw new InvalidDataException($"'{name}': the melody track {melodyTrack} holds no notes.");

        // Key and time signatures are often repeated in every track, not always at the same times: the melody
        // track's are used when it has any, else those of every track.
        var keys = Changes(MetaEvents<KeySignatureEvent>(file, melodyTrack)
            .Select(k => (Step(k.AbsoluteTime), new KeySignature(Math.Clamp(k.SharpsFlats, -7, 7), k.MajorMinor == 1))));
        var meters = Changes(MetaEvents<TimeSignatureEvent>(file, melodyTrack)
            .Where(m => m.Numerator is >= 1 and <= 32 && m.Denominator is >= 0 and <= 5)
            .Select(m => (Step(m.AbsoluteTime), new TimeSignature(m.Numerator, 1 << m.Denominator))));
        var chords = chordTrack is int track
            ? TrackNotes(file, track).GroupBy(n => Step(n.Start)).OrderBy(g => g.Key).Select(g => (Time: g.Key, Chord: ChordSymbol.Recognize(g.Select(n => n.Pitch)))).ToList()
            : [];
        return new Melody(Events(notes, keys, meters, chords));
    }

    private static IEnumerable<T> MetaEvents<T>(MidiFile file, int melodyTrack) where T : MetaEvent
    {
        var own = file.Events[melodyTrack].OfType<T>().ToList();
        return own.Count > 0 ? own : Enumerable.Range(0, file.Tracks).SelectMany(t => file.Events[t].OfType<T>());
    }

    /// <summary>Notes of a track: (start tick, end tick, pitch) of every note-on with a velocity and a matching note-off.</summary>
    private static IEnumerable<(long Start, long End, int Pitch)> TrackNotes(MidiFile file, int track)
        => file.Events[track].OfType<NoteOnEvent>()
            .Where(n => n.Velocity > 0 && n.OffEvent is not null)
            .Select(n => (n.AbsoluteTime, n.OffEvent!.AbsoluteTime, n.NoteNumber));

    private static List<(int Start, int End, int Pitch)> Monophonic(IEnumerable<(int Start, int End, int Pitch)> quantized)
    {
        var sorted = quantized.OrderBy(n => n.Start).ThenByDescending(n => n.Pitch).ToList();
        var result = new List<(int Start, int End, int Pitch)>();
        foreach (var note in sorted)
        {
            if (result.Count > 0 && result[^1].Start == note.Start)
                continue; // a chord in the melody track: its highest note is the melody
            if (result.Count > 0 && result[^1].End > note.Start)
                result[^1] = result[^1] with { End = note.Start };
            // A note shorter than one step still sounds for one; one longer than the longest event is shortened.
            int end = Math.Min(Math.Max(note.End, note.Start + 1), note.Start + MelodyEvent.MaximumDuration);
            result.Add((note.Start, end, note.Pitch));
        }
        return result;
    }

    /// <summary>Sorted (time, value) changes, keeping the first value given for each time.</summary>
    private static List<(int Time, T Value)> Changes<T>(IEnumerable<(int Time, T Value)> changes)
        => changes.GroupBy(c => c.Time).Select(g => g.First()).OrderBy(c => c.Time).ToList();

    /// <summary>The last value given at or before <paramref name="time"/>, else the first one given, else <paramref name="fallback"/>.</summary>
    private static T InForce<T>(List<(int Time, T Value)> changes, int time, T fallback)
    {
        if (changes.Count == 0)
            return fallback;
        int last = changes.FindLastIndex(c => c.Time <= time);
        return changes[Math.Max(last, 0)].Value;
    }

    private static List<MelodyEvent> Events(List<(int Start, int End, int Pitch)> notes, List<(int Time, KeySignature Value)> keys,
        List<(int Time, TimeSignature Value)> meters, List<(int Time, ChordSymbol Chord)> chords)
    {
        int first = notes[0].Start, end = notes[^1].End;
        var key = InForce(keys, first, KeySignature.CMajor);
        var meter = InForce(meters, first, TimeSignature.Common);

        // Markers: bar lines (0), key changes (1), metre changes (2), chords (3), each placed before the first note or
        // rest that starts at or after it.
        var markers = new List<(int Time, int Order, MelodyEvent Event)>();
        var segments = meters.Count == 0 ? [(0, TimeSignature.Common)] : meters.Select((m, i) => (Time: i == 0 ? 0 : m.Time, m.Value)).ToList();
        var bars = new List<int>();
        for (int i = 0; i < segments.Count; i++)
        {
            int until = i + 1 < segments.Count ? segments[i + 1].Time : end;
            for (int b = segments[i].Time; b < until; b += segments[i].Value.BarSteps)
            {
                if (b > first && b < end)
                    bars.Add(b);
            }
        }
        markers.AddRange(bars.Select(b => (b, 0, MelodyEvent.BarLine)));
        var current = key;
        foreach (var (time, value) in keys.Where(k => k.Time > first && k.Time < end))
        {
            if (value != current)
                markers.Add((time, 1, MelodyEvent.KeyChange(value)));
            current = value;
        }
        var currentMeter = meter;
        foreach (var (time, value) in meters.Where(m => m.Time > first && m.Time < end))
        {
            if (value != currentMeter)
                markers.Add((time, 2, MelodyEvent.MeterChange(value)));
            currentMeter = value;
        }
        var sounding = chords.Where(c => c.Time < end).ToList();
        int lastBeforeStart = sounding.FindLastIndex(c => c.Time <= first);
        markers.AddRange(sounding.Skip(Math.Max(lastBeforeStart, 0)).Select(c => (Math.Max(c.Time, first), 3, MelodyEvent.ChordChange(c.Chord))));
        markers.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));

        var events = new List<MelodyEvent> { MelodyEvent.KeyChange(key), MelodyEvent.MeterChange(meter) };
        int next = 0;
        void Emit(int start, MelodyEvent segment)
        {
            // Markers that fell inside the previous note land here, with those of this step: in marker order, so
            // that writing and reading again puts them back in the same order. Of several chords (or keys, or
            // metres) landing together only the last takes effect; every bar line is kept.
            int from = next;
            while (next < markers.Count && markers[next].Time <= start)
                next++;
            var landing = markers.Skip(from).Take(next - from).ToList();
            events.AddRange(landing.Where((m, i) => m.Order == 0 || !landing.Skip(i + 1).Any(later => later.Order == m.Order))
                .OrderBy(m => m.Order).Select(m => m.Event));
            events.Add(segment);
        }
        int previousEnd = first;
        foreach (var note in notes)
        {
            // Silence before the note: rests, cut at every bar line inside it and at the longest duration.
            for (int restStart = previousEnd; restStart < note.Start;)
            {
                int restEnd = Math.Min(note.Start, restStart + MelodyEvent.MaximumDuration);
                int bar = bars.FirstOrDefault(b => b > restStart && b < restEnd);
                if (bar > 0)
                    restEnd = bar;
                Emit(restStart, MelodyEvent.Rest(restEnd - restStart));
                restStart = restEnd;
            }
            Emit(note.Start, MelodyEvent.Note(note.Pitch, note.End - note.Start));
            previousEnd = note.End;
        }
        // A bar line inside the last note is written after it; chords and changes after the last onset never sound.
        events.AddRange(markers.Skip(next).Where(m => m.Order == 0).Select(m => m.Event));
        return events;
    }

    /// <summary>Writes <paramref name="melody"/> as a standard MIDI file (format 1).</summary>
    public static void Write(Melody melody, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(melody, stream);
    }

    /// <summary>Writes <paramref name="melody"/> as a standard MIDI file (format 1) to <paramref name="stream"/>.</summary>
    public static void Write(Melody melody, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(melody);
        ArgumentNullException.ThrowIfNull(stream);
        const int TicksPerStep = WrittenTicksPerQuarter / Melody.StepsPerQuarter;
        var layout = melody.Layout;
        var collection = new MidiEventCollection(1, WrittenTicksPerQuarter);

        // Each list is filled in time order with note-offs before note-ons at the same tick; the export's sort is
        // stable, so a repeated note is never cut by its predecessor's note-off.
        var melodyTrack = collection.AddTrack();
        var meta = layout.Keys.Select(k => (Time: k.Time, Event: (MidiEvent)new KeySignatureEvent(k.Key.SharpsOrFlats, k.Key.Minor ? 1 : 0, (long)k.Time * TicksPerStep)))
            .Concat(layout.Meters.Select(m => (Time: m.Time, Event: (MidiEvent)new TimeSignatureEvent((long)m.Time * TicksPerStep, m.Meter.Numerator,
                System.Numerics.BitOperations.Log2((uint)m.Meter.Denominator), 24, 8))))
            .OrderBy(m => m.Time);
        foreach (var (_, midiEvent) in meta)
            melodyTrack.Add(midiEvent);
        AddNotes(melodyTrack, layout.Notes.Select(n => (n.Start, n.Start + n.Duration, n.Pitch)), TicksPerStep);
        melodyTrack.Add(new MetaEvent(MetaEventType.EndTrack, 0, (long)layout.End * TicksPerStep));
        if (layout.Chords.Count > 0)
        {
            var chordTrack = collection.AddTrack();
            AddNotes(chordTrack, layout.Chords.SelectMany(c => c.Chord.Voicing().Select(p => (c.Start, c.End, p))), TicksPerStep);
            chordTrack.Add(new MetaEvent(MetaEventType.EndTrack, 0, (long)layout.End * TicksPerStep));
        }
        collection.PrepareForExport();
        MidiFile.Export(stream, collection);
    }

    private static void AddNotes(IList<MidiEvent> track, IEnumerable<(int Start, int End, int Pitch)> notes, int ticksPerStep)
    {
        var timed = new List<(long Tick, int Order, MidiEvent Event)>();
        foreach (var (start, end, pitch) in notes)
        {
            var on = new NoteOnEvent((long)start * ticksPerStep, Channel, pitch, Velocity, (end - start) * ticksPerStep);
            timed.Add((on.AbsoluteTime, 1, on));
            var off = on.OffEvent!;
            timed.Add((off.AbsoluteTime, 0, off));
        }
        foreach (var (_, _, midiEvent) in timed.OrderBy(t => t.Tick).ThenBy(t => t.Order))
            track.Add(midiEvent);
    }
}
