using Microsoft.ML.Recurrent.Training;

namespace Samples.Common;

/// <summary>
/// Draws training curves to a PNG: training and validation loss per epoch on the left axis and the validation metric
/// on the right axis (its scale differs from the losses'), one line per network of an ensemble.
/// </summary>
public static class TrainingCurvePlot
{
    public static void Save(string path, string title, IReadOnlyList<IReadOnlyList<EpochSummary>> history, string metricName)
    {
        if (history.All(h => h.Count == 0))
            throw new ArgumentException("There is no training history to plot.");
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.Label.Text = "loss";
        bool anyMetric = false;
        for (int n = 0; n < history.Count; n++)
        {
            var epochs = history[n];
            string suffix = history.Count > 1 ? $" (network {n + 1})" : "";
            double[] xs = epochs.Select(e => (double)e.Epoch).ToArray();
            var training = plot.Add.Scatter(xs, epochs.Select(e => e.TrainingLoss).ToArray());
            training.LegendText = "training loss" + suffix;
            var withLoss = epochs.Where(e => e.ValidationLoss is not null).ToArray();
            if (withLoss.Length > 0)
            {
                var validation = plot.Add.Scatter(withLoss.Select(e => (double)e.Epoch).ToArray(), withLoss.Select(e => e.ValidationLoss!.Value).ToArray());
                validation.LegendText = "validation loss" + suffix;
                validation.LinePattern = ScottPlot.LinePattern.Dashed;
            }
            var withMetric = epochs.Where(e => e.ValidationMetric is not null).ToArray();
            if (withMetric.Length > 0)
            {
                var metric = plot.Add.Scatter(withMetric.Select(e => (double)e.Epoch).ToArray(), withMetric.Select(e => e.ValidationMetric!.Value).ToArray());
                metric.LegendText = $"validation {metricName}{suffix}";
                metric.Axes.YAxis = plot.Axes.Right;
                metric.LinePattern = ScottPlot.LinePattern.Dotted;
                anyMetric = true;
            }
        }
        if (anyMetric)
            plot.Axes.Right.Label.Text = $"validation {metricName}";
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 500);
    }
}
