using Microsoft.ML.Recurrent.Music;

namespace Microsoft.ML.Recurrent.Tests.Music;

/// <summary>Melodies built the way reading a MIDI file makes them: bar lines where the metre puts them, chords on onsets.</summary>
internal static class TestMelodies
{
    private static readonly int[][] BarFillings =
    [
        [12, 12, 12, 12, 12, 12, 12, 12],
        [24, 12, 12, 24, 24],
        [36, 12, 24, 24],
        [8, 8, 8, 24, 48],
        [6, 6, 12, 24, 48],
        [48, 48],
    ];

    /// <summary>
    /// A random melody in 4/4 or 6/8 (or changing metre at a bar line): a pick-up, whole bars of notes and rests
    /// (triplets and sixteenths included), chords at some bar starts and onsets, sometimes a key change at a bar line.
    /// </summary>
    public static Melody Random(int seed)
    {
        var random = new Random(seed);
        var key = new KeySignature(random.Next(-4, 5), random.Next(4) == 0);
        var meter = random.Next(2) == 0 ? new TimeSignature(4, 4) : new TimeSignature(6, 8);
        var events = new List<MelodyEvent> { MelodyEvent.KeyChange(key), MelodyEvent.MeterChange(meter) };
        int pitch = 67;
        MelodyEvent NextNote(int duration)
        {
            pitch = Math.Clamp(pitch + random.Next(-4, 5), 55, 88);
            return MelodyEvent.Note(pitch, duration);
        }
        var chords = new[] { "G", "D7", "Em", "C/E", "F#dim", "A[0.1.4.7.10]", "Bbm" }
            .Select(n => ChordSymbol.TryParse(n, out var c) ? c! : throw new InvalidOperationException(n)).ToArray();
        // Pick-up: notes filling the end of a bar, never a whole bar.
        int pickup = random.Next(3) * 12;
        for (int filled = 0; filled < pickup; filled += 12)
            events.Add(NextNote(12));
        int bars = random.Next(3, 9);
        bool lastWasNote = pickup > 0;
        for (int bar = 0; bar < bars; bar++)
        {
            if (bar > 0 || pickup > 0)
                events.Add(MelodyEvent.BarLine);
            if (bar == bars / 2 && random.Next(2) == 0)
                events.Add(MelodyEvent.KeyChange(new KeySignature(key.SharpsOrFlats == 0 ? 1 : 0, key.Minor)));
            if (bar == bars / 2 + 1 && random.Next(3) == 0)
            {
                meter = meter.Numerator == 4 ? new TimeSignature(3, 4) : new TimeSignature(9, 8);
                events.Add(MelodyEvent.MeterChange(meter));
            }
            var filling = meter.BarSteps == 96 ? BarFillings[random.Next(BarFillings.Length)]
                : Enumerable.Repeat(12, meter.BarSteps / 12).ToArray();
            for (int i = 0; i < filling.Length; i++)
            {
                if (random.Next(3) == 0)
                    events.Add(MelodyEvent.ChordChange(chords[random.Next(chords.Length)]));
                // Reading starts at the first note and reads a silence as one rest (cut at bar lines): a rest only
                // follows a note.
                bool rest = lastWasNote && random.Next(8) == 0;
                events.Add(rest ? MelodyEvent.Rest(filling[i]) : NextNote(filling[i]));
                lastWasNote = !rest;
            }
        }
        // Reading ends at the last note: a trailing rest would not be read back.
        while (events[^1].Kind != MelodyEventKind.Note)
            events.RemoveAt(events.Count - 1);
        return new Melody(events);
    }
}
