namespace Microsoft.ML.Recurrent.Music;

/// <summary>
/// Musical sanity figures of a set of melodies, to compare generated tunes with the tunes they learnt from.
/// </summary>
/// <param name="Melodies">Number of melodies.</param>
/// <param name="Notes">Number of notes.</param>
/// <param name="InKeyShare">Share of notes whose pitch class belongs to the scale of the key signature in force.</param>
/// <param name="MeanPitchRange">Mean over melodies of highest minus lowest pitch, in semitones.</param>
/// <param name="LowestPitch">Lowest MIDI pitch of any note.</param>
/// <param name="HighestPitch">Highest MIDI pitch of any note.</param>
/// <param name="DurationShares">Share of notes of each duration, keyed by the duration's token text (e.g. "1/8"), most frequent first.</param>
public sealed record MelodyStatistics(int Melodies, int Notes, double InKeyShare, double MeanPitchRange, int LowestPitch, int HighestPitch,
    IReadOnlyList<KeyValuePair<string, double>> DurationShares)
{
    /// <summary>The figures of <paramref name="melodies"/> (at least one).</summary>
    public static MelodyStatistics Of(IEnumerable<Melody> melodies)
    {
        ArgumentNullException.ThrowIfNull(melodies);
        int count = 0, notes = 0, inKey = 0, lowest = int.MaxValue, highest = int.MinValue;
        double rangeSum = 0;
        var durations = new Dictionary<int, int>();
        foreach (var melody in melodies)
        {
            count++;
            var key = KeySignature.CMajor;
            int low = int.MaxValue, high = int.MinValue;
            foreach (var e in melody.Events)
            {
                if (e.Kind == MelodyEventKind.Key)
                    key = e.Key;
                if (e.Kind != MelodyEventKind.Note)
                    continue;
                notes++;
                if (key.Contains(e.Pitch))
                    inKey++;
                low = Math.Min(low, e.Pitch);
                high = Math.Max(high, e.Pitch);
                durations[e.Duration] = durations.GetValueOrDefault(e.Duration) + 1;
            }
            rangeSum += high - low;
            lowest = Math.Min(lowest, low);
            highest = Math.Max(highest, high);
        }
        if (count == 0)
            throw new ArgumentException("There are no melodies to describe.", nameof(melodies));
        var shares = durations.OrderByDescending(d => d.Value).ThenBy(d => d.Key)
            .Select(d => KeyValuePair.Create(MelodyEvent.FormatDuration(d.Key), (double)d.Value / notes)).ToList();
        return new MelodyStatistics(count, notes, (double)inKey / notes, rangeSum / count, lowest, highest, shares);
    }

    /// <summary>
    /// Total variation distance between this and <paramref name="other"/>'s note-length distributions: half the sum
    /// of the absolute differences of the shares, from 0 (the same) to 1 (no duration in common).
    /// </summary>
    public double DurationDistance(MelodyStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = DurationShares.ToDictionary(d => d.Key, d => d.Value);
        var theirs = other.DurationShares.ToDictionary(d => d.Key, d => d.Value);
        return 0.5 * mine.Keys.Union(theirs.Keys).Sum(k => Math.Abs(mine.GetValueOrDefault(k) - theirs.GetValueOrDefault(k)));
    }
}
