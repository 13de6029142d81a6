using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// A tiny order-sensitive task on token ids: the label says whether token 5 comes before token 6. Both tokens
/// appear in every sequence, so a bag of tokens cannot tell the classes apart.
/// </summary>
internal static class OrderTask
{
    public sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }
    }

    public static List<Row> Generate(int count, int seed, int maxFiller = 6)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            bool label = i % 2 == 0;
            var tokens = Enumerable.Range(0, random.Next(0, maxFiller + 1)).Select(_ => random.Next(7, 20)).ToList();
            int first = random.Next(tokens.Count + 1);
            tokens.Insert(first, label ? 5 : 6);
            tokens.Insert(random.Next(first + 1, tokens.Count + 1), label ? 6 : 5);
            rows.Add(new Row { Tokens = tokens.ToArray(), Label = label });
        }
        return rows;
    }
}
