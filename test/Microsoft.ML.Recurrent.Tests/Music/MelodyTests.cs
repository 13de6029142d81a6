using Microsoft.ML.Recurrent.Music;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Text;
using NAudio.Midi;

namespace Microsoft.ML.Recurrent.Tests.Music;

[TestClass]
public sealed class MelodyTokenTests
{
    private static MelodyEvent Token(string token)
        => MelodyEvent.TryParse(token, out var e) ? e! : throw new AssertFailedException($"'{token}' did not parse");

    [TestMethod]
    public void EveryKindOfEventIsOneTokenThatReadsBack()
    {
        var events = new[]
        {
            MelodyEvent.KeyChange(new KeySignature(2, false)), MelodyEvent.KeyChange(new KeySignature(-1, true)),
            MelodyEvent.MeterChange(new TimeSignature(6, 8)), MelodyEvent.BarLine, MelodyEvent.ChordChange(Chord("D7")),
            MelodyEvent.Note(78, 12), MelodyEvent.Note(0, 1), MelodyEvent.Note(127, MelodyEvent.MaximumDuration), MelodyEvent.Rest(36),
        };
        string[] expected = ["K:D", "K:Dm", "M:6/8", "|", "ch:D7", "F#5:1/8", "C-1:1/96", "G9:8", "r:3/8"];
        CollectionAssert.AreEqual(expected, events.Select(e => e.Token).ToArray());
        foreach (var e in events)
            Assert.AreEqual(e, Token(e.Token), e.Token);
        Assert.AreEqual(60, Token("C4:1/4").Pitch);
        Assert.AreEqual(8, Token("C4:1/12").Duration, "a triplet eighth");
        Assert.AreEqual(144, Token("r:3/2").Duration);
        Assert.AreEqual(59, Token("Cb4:1/4").Pitch, "a flat below C belongs to the octave below");
        Assert.AreEqual(new KeySignature(-2, false), Token("K:Bb").Key);
    }

    [TestMethod]
    [DataRow("X5:1/8")]
    [DataRow("C4:1/7")]
    [DataRow("C4:0")]
    [DataRow("C4")]
    [DataRow("C10:1/4")]
    [DataRow("r:9")]
    [DataRow("K:H")]
    [DataRow("M:5/3")]
    [DataRow("ch:Q7")]
    [DataRow("ch:C[4.7]")]
    [DataRow("<unk>")]
    public void ATokenThatIsNoEventIsRejected(string token)
    {
        Assert.IsFalse(MelodyEvent.TryParse(token, out _), token);
        var error = Assert.ThrowsExactly<FormatException>(() => Melody.Parse($"K:G M:4/4 G4:1/4 {token}"));
        StringAssert.Contains(error.Message, $"Token 3 ('{token}')");
    }

    [TestMethod]
    public void KeySignaturesKnowTheirScales()
    {
        var dMajor = new KeySignature(2, false);
        Assert.AreEqual("D", dMajor.Name);
        Assert.AreEqual(2, dMajor.Tonic);
        Assert.AreEqual(11, new KeySignature(2, true).Tonic, "B minor");
        foreach (int pitch in new[] { 62, 64, 66, 67, 69, 71, 73, 74 })
            Assert.IsTrue(dMajor.Contains(pitch), $"{pitch} is in D major");
        foreach (int pitch in new[] { 60, 63, 65, 68, 70 })
            Assert.IsFalse(dMajor.Contains(pitch), $"{pitch} is not in D major");
        Assert.IsTrue(new KeySignature(-3, true).Contains(63), "E flat is in C minor");
    }

    private static ChordSymbol Chord(string name) => ChordSymbol.TryParse(name, out var chord) ? chord! : throw new AssertFailedException(name);

    [TestMethod]
    public void ChordsAreNamedFromTheirNotesAndVoicedBack()
    {
        Assert.AreEqual("G", ChordSymbol.Recognize([43, 47, 50]).Name);
        Assert.AreEqual("D7", ChordSymbol.Recognize([38, 42, 45, 48]).Name);
        Assert.AreEqual("Em7", ChordSymbol.Recognize([40, 43, 47, 50]).Name, "the lowest note is the root when a quality fits");
        Assert.AreEqual("C/E", ChordSymbol.Recognize([40, 48, 52, 55]).Name, "an inversion keeps its bass");
        Assert.AreEqual("E[0.1.4.7.10]", ChordSymbol.Recognize([40, 41, 44, 47, 50]).Name);
        Assert.AreEqual("A#m", Chord("Bbm").Name, "roots are spelled with sharps");
        foreach (string quality in new[] { "", "m", "7", "m7", "maj7", "6", "m6", "dim", "dim7", "m7b5", "aug", "sus4", "sus2" })
        {
            for (int root = 0; root < 12; root++)
            {
                string name = new[] { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" }[root] + quality;
                var chord = Chord(name);
                Assert.AreEqual(name, chord.Name);
                Assert.AreEqual(name, ChordSymbol.Recognize(chord.Voicing()).Name, $"voicing of {name}");
            }
        }
        foreach (string name in new[] { "C/E", "G/B", "D7/F#", "C[0.1.4.7.10]" })
            Assert.AreEqual(name, ChordSymbol.Recognize(Chord(name).Voicing()).Name, $"voicing of {name}");
    }

    [TestMethod]
    public void TheTokenizerGivesOneIdPerEvent()
    {
        var melodies = Enumerable.Range(1, 5).Select(TestMelodies.Random).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(melodies.Select(m => new TextRow { Text = m.ToText() }));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens", InputColumnName = "Text", Lowercase = false, Punctuation = PunctuationHandling.Keep, MaximumVocabularySize = 0,
        }).Fit(data);
        foreach (var melody in melodies)
        {
            var ids = tokenizer.Encode(melody.ToText());
            Assert.AreEqual(melody.Events.Count, ids.Length);
            CollectionAssert.AreEqual(melody.Events.Select(e => e.Token).ToArray(), ids.Select(id => tokenizer.Vocabulary[id]).ToArray());
            CollectionAssert.AreEqual(melody.Events.ToArray(), Melody.Parse(tokenizer.Decode(ids)).Events.ToArray());
        }
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}

[TestClass]
public sealed class MelodyMidiTests
{
    [TestMethod]
    public void EventsSurviveMidiAndBack()
    {
        using var folder = new TempFolder();
        for (int seed = 1; seed <= 60; seed++)
        {
            var melody = TestMelodies.Random(seed);
            string path = folder.File($"m{seed}.mid");
            MelodyMidi.Write(melody, path);
            var back = MelodyMidi.Read(path);
            CollectionAssert.AreEqual(melody.Events.ToArray(), back.Events.ToArray(), $"seed {seed}:\n{melody}\n{back}");
        }
    }

    [TestMethod]
    public void TheWrittenFileHoldsThePickUpNotesAndChordsWhereTheyBelong()
    {
        using var folder = new TempFolder();
        // G major in 6/8: a pick-up eighth, then two bars with chords.
        var melody = Melody.Parse("K:G M:6/8 D5:1/8 | ch:G G5:3/8 r:1/8 ch:D7 A4:1/4 | ch:G G4:3/4");
        MelodyMidi.Write(melody, folder.File("tune.mid"));

        // Read with NAudio alone: the library's reader is not involved.
        var file = new MidiFile(folder.File("tune.mid"), strictChecking: true);
        Assert.AreEqual(1, file.FileFormat);
        Assert.AreEqual(2, file.Tracks);
        Assert.AreEqual(480, file.DeltaTicksPerQuarterNote);
        var melodyNotes = file.Events[0].OfType<NoteOnEvent>().Where(n => n.Velocity > 0).Select(n => (n.AbsoluteTime, n.NoteLength, n.NoteNumber)).ToArray();
        // A 6/8 bar is 1,440 ticks; the pick-up eighth (240 ticks) ends where the first bar line stands.
        CollectionAssert.AreEqual(new[] { (1200L, 240, 74), (1440L, 720, 79), (2400L, 480, 69), (2880L, 1440, 67) }, melodyNotes);
        var key = file.Events[0].OfType<KeySignatureEvent>().Single();
        Assert.AreEqual((1, 0), (key.SharpsFlats, key.MajorMinor));
        var meter = file.Events[0].OfType<TimeSignatureEvent>().Single();
        Assert.AreEqual("6/8", meter.TimeSignature);
        var chords = file.Events[1].OfType<NoteOnEvent>().Where(n => n.Velocity > 0).GroupBy(n => n.AbsoluteTime)
            .Select(g => (g.Key, g.First().NoteLength, ChordSymbol.Recognize(g.Select(n => n.NoteNumber)).Name)).ToArray();
        CollectionAssert.AreEqual(new[] { (1440L, 960, "G"), (2400L, 480, "D7"), (2880L, 1440, "G") }, chords);

        Assert.AreEqual(melody.ToText(), MelodyMidi.Read(folder.File("tune.mid")).ToText());
        CollectionAssert.AreEqual(new[] { new TimedNote(60, 12, 74), new TimedNote(72, 36, 79), new TimedNote(120, 24, 69), new TimedNote(144, 72, 67) }, melody.Notes.ToArray());
        Assert.AreEqual(216, melody.End);
    }

    [TestMethod]
    public void ReadingMakesTheMelodyMonophonicAndPutsSilencesAsRestsCutAtBarLines()
    {
        using var folder = new TempFolder();
        var collection = new MidiEventCollection(1, 96);
        var track = collection.AddTrack();
        track.Add(new TimeSignatureEvent(0, 2, 2, 24, 8)); // 2/4: a bar is 192 ticks
        void Note(long start, int length, int pitch)
        {
            var on = new NoteOnEvent(start, 1, pitch, 80, length);
            track.Add(on);
            track.Add(on.OffEvent!);
        }
        Note(0, 96, 60);
        Note(0, 96, 64);       // together with C4: the higher E4 is the melody
        Note(96, 140, 67);     // overlaps the next note: cut where it starts
        Note(192, 48, 69);
        Note(432, 49, 71);     // after a silence crossing the bar line at 384; 49 ticks round to 12 steps
        track.Add(new MetaEvent(MetaEventType.EndTrack, 0, 500));
        collection.PrepareForExport();
        MidiFile.Export(folder.File("raw.mid"), collection);

        var melody = MelodyMidi.Read(folder.File("raw.mid"));
        Assert.AreEqual("K:C M:2/4 E4:1/4 G4:1/4 | A4:1/8 r:3/8 | r:1/8 B4:1/8", melody.ToText());
    }

    [TestMethod]
    public void BadFilesGetErrorsNamingThem()
    {
        using var folder = new TempFolder();
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => MelodyMidi.Read(folder.File("absent.mid")));
        StringAssert.Contains(missing.Message, "absent.mid");

        File.WriteAllText(folder.File("text.mid"), "not a midi file at all");
        var notMidi = Assert.ThrowsExactly<InvalidDataException>(() => MelodyMidi.Read(folder.File("text.mid")));
        StringAssert.Contains(notMidi.Message, "text.mid");
        StringAssert.Contains(notMidi.Message, "standard MIDI file");

        var collection = new MidiEventCollection(1, 96);
        var track = collection.AddTrack();
        track.Add(new TimeSignatureEvent(0, 4, 2, 24, 8));
        track.Add(new MetaEvent(MetaEventType.EndTrack, 0, 10));
        MidiFile.Export(folder.File("silent.mid"), collection);
        var silent = Assert.ThrowsExactly<InvalidDataException>(() => MelodyMidi.Read(folder.File("silent.mid")));
        StringAssert.Contains(silent.Message, "no notes");

        var parse = Assert.ThrowsExactly<FormatException>(() => Melody.Parse("K:G M:4/4 | r:1/4"));
        StringAssert.Contains(parse.Message, "no note");
    }
}

[TestClass]
public sealed class MelodyStatisticsTests
{
    [TestMethod]
    public void FiguresAreCountedFromTheNotes()
    {
        // D major: C5 (72) is outside the scale; after the key change to C major, C5 is inside and F#5 (78) outside.
        var first = Melody.Parse("K:D M:4/4 D5:1/4 F#5:1/4 C5:1/8 A4:1/8 | K:C C5:1/4 F#5:1/2");
        var second = Melody.Parse("K:G M:4/4 G4:1/4 B4:1/4");
        var figures = MelodyStatistics.Of([first, second]);
        Assert.AreEqual(2, figures.Melodies);
        Assert.AreEqual(8, figures.Notes);
        Assert.AreEqual(6 / 8.0, figures.InKeyShare, 1e-12);
        Assert.AreEqual(((78 - 69) + (71 - 67)) / 2.0, figures.MeanPitchRange, 1e-12);
        Assert.AreEqual((67, 78), (figures.LowestPitch, figures.HighestPitch));
        CollectionAssert.AreEqual(new[] { "1/4", "1/8", "1/2" }, figures.DurationShares.Select(d => d.Key).ToArray());
        Assert.AreEqual(5 / 8.0, figures.DurationShares[0].Value, 1e-12);
        Assert.AreEqual(0, figures.DurationDistance(figures), 1e-12);
        var eighths = MelodyStatistics.Of([Melody.Parse("K:G M:4/4 G4:1/8")]);
        Assert.AreEqual(1 - 2 / 8.0, figures.DurationDistance(eighths), 1e-12);
    }
}

[TestClass]
[TestCategory(SharedData.Category)]
public sealed class NottinghamMidiTests
{
    [TestMethod]
    public void EveryTuneReadsAndSurvivesMidiAndBack()
    {
        string root = SharedData.Require("nottingham/midi");
        var files = Directory.GetFiles(root, "*.mid", SearchOption.AllDirectories);
        Assert.AreEqual(1034, files.Length);
        var melodies = new List<Melody>();
        foreach (string file in files)
        {
            var melody = MelodyMidi.Read(file);
            melodies.Add(melody);
            using var stream = new MemoryStream();
            MelodyMidi.Write(melody, stream);
            stream.Position = 0;
            CollectionAssert.AreEqual(melody.Events.ToArray(), MelodyMidi.Read(stream, file).Events.ToArray(), file);
        }
        // SOURCES.md: melody pitches 55-88; folk tunes stay in their key.
        var figures = MelodyStatistics.Of(melodies);
        Assert.AreEqual((55, 88), (figures.LowestPitch, figures.HighestPitch));
        Assert.IsTrue(figures.InKeyShare > 0.95, $"in-key share {figures.InKeyShare}");
        Assert.AreEqual("1/8", figures.DurationShares[0].Key);
    }
}
