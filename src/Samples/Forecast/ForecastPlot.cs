namespace Samples.Forecast;

/// <summary>Draws the history, a backtest forecast and the forecast beyond the data, with their intervals, to a PNG.</summary>
internal static class ForecastPlot
{
    public sealed record Band(int Start, float[] Forecast, float[] Lower, float[] Upper, string Label);

    public static void Save(string path, string title, float[] history, IReadOnlyList<Band> bands)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("time step");
        var xs = Enumerable.Range(0, history.Length).Select(i => (double)i).ToArray();
        foreach (var band in bands)
        {
            var bx = Enumerable.Range(band.Start, band.Forecast.Length).Select(i => (double)i).ToArray();
            var fill = plot.Add.FillY(bx, band.Lower.Select(v => (double)v).ToArray(), band.Upper.Select(v => (double)v).ToArray());
            fill.FillStyle.Color = ScottPlot.Colors.Orange.WithAlpha(0.3);
            fill.LegendText = $"{band.Label} interval";
            var forecast = plot.Add.Scatter(bx, band.Forecast.Select(v => (double)v).ToArray());
            forecast.LegendText = band.Label;
            forecast.MarkerSize = 3;
        }
        // Drawn last so that the observed values stay visible over the backtest's band.
        var line = plot.Add.Scatter(xs, history.Select(v => (double)v).ToArray());
        line.LegendText = "history";
        line.MarkerSize = 0;
        line.Color = ScottPlot.Colors.Black;
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1000, 500);
    }
}
