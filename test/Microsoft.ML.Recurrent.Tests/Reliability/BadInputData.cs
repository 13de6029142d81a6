using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>Tiny row types and data for the bad-input matrix.</summary>
internal static class BadInputData
{
    public sealed class TextRow
    {
        public string? Text { get; set; }
        public bool Label { get; set; }
    }

    public sealed class FloatRow
    {
        [VectorType]
        public float[] Values { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class IntRow
    {
        [VectorType]
        public int[] Values { get; set; } = [];
    }

    public sealed class TextTokensRow
    {
        public string Tokens { get; set; } = "";
    }

    public sealed class ClassRow
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
        public string Class { get; set; } = "";
    }

    public static readonly TextRow[] Reviews =
    [
        new() { Text = "a good film", Label = true },
        new() { Text = "a boring film", Label = false },
        new() { Text = "good and fun", Label = true },
        new() { Text = "boring and long", Label = false },
    ];

    public static IDataView Load<T>(IEnumerable<T> rows) where T : class => new MLContext(seed: 1).Data.LoadFromEnumerable(rows);

    public static IDataView Floats(params float[][] rows) => Load(rows.Select((r, i) => new FloatRow { Values = r, Label = i % 2 }));

    public static IDataView Ints(params int[][] rows) => Load(rows.Select(r => new IntRow { Values = r }));

    public static T[] Column<T>(IDataView data, string name) => data.GetColumn<T>(name).ToArray();
}
