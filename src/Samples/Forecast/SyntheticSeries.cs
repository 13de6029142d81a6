namespace Samples.Forecast;

/// <summary>
/// The sample's default data: a monthly series with a linear trend, multiplicative yearly seasonality and
/// multiplicative noise — the shape of airline-passenger data, generated so the sample runs without downloads.
/// </summary>
internal static class SyntheticSeries
{
    public static (string[] Dates, float[] Values) Generate(int months = 168, int seed = 7)
    {
        var random = new Random(seed);
        var dates = new string[months];
        var values = new float[months];
        for (int t = 0; t < months; t++)
        {
            double level = 100 + 2.0 * t;
            double season = 1 + 0.25 * Math.Sin(2 * Math.PI * (t % 12) / 12) + 0.1 * Math.Cos(4 * Math.PI * (t % 12) / 12);
            double noise = 1 + 0.03 * Gaussian(random);
            values[t] = (float)(level * season * noise);
            dates[t] = $"{2000 + t / 12:D4}-{t % 12 + 1:D2}";
        }
        return (dates, values);
    }

    private static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
