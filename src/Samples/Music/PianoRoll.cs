using Microsoft.ML.Recurrent.Music;

namespace Samples.Music;

/// <summary>Draws a melody as a piano roll (time across, pitch up, one bar per note) to a PNG.</summary>
internal static class PianoRoll
{
    public static void Save(string path, string title, Melody melody)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("quarter notes");
        plot.YLabel("MIDI pitch");
        double quarter = Melody.StepsPerQuarter;
        foreach (var note in melody.Notes)
        {
            var line = plot.Add.Line(note.Start / quarter, note.Pitch, (note.Start + note.Duration) / quarter - 0.05, note.Pitch);
            line.LineWidth = 6;
            line.Color = ScottPlot.Colors.SteelBlue;
        }
        plot.SavePng(path, 1200, 400);
    }
}
