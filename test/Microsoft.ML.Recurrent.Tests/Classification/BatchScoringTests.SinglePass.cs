using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Classification;

// Batched Transform reads its input once per cursor and splits it the way the input splits itself.
public sealed partial class BatchScoringTests
{
    private sealed class RawRow
    {
        public int Id { get; set; }

        [VectorType]
        public int[] Raw { get; set; } = [];

        public string Note { get; set; } = "";
    }

    private sealed class TokensOut
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
    }

    private sealed class ScoredNoteRow
    {
        public int Id { get; set; }
        public string Note { get; set; } = "";

        [VectorType]
        public int[] Tokens { get; set; } = [];

        public float Score { get; set; }
    }

    [TestMethod]
    public void UpstreamWorkRunsOncePerRowAndEveryInputColumnStaysOnItsRow()
    {
        var ml = new MLContext(seed: 1);
        var model = TrainBinary(ml);
        var rows = ScoringRows(2 * 256 + 19).Select(r => new RawRow { Id = r.Id, Raw = r.Tokens, Note = $"row {r.Id}" }).ToList();
        int computed = 0;
        // The feature column comes from an upstream step that counts its work.
        var upstream = ml.Transforms.CustomMapping<RawRow, TokensOut>((input, output) =>
        {
            Interlocked.Increment(ref computed);
            output.Tokens = input.Raw;
        }, contractName: null).Fit(ml.Data.LoadFromEnumerable(rows));
        var scored = model.Transform(upstream.Transform(ml.Data.LoadFromEnumerable(rows)));

        // Every column, the feature column and the text and vector input columns included.
        var read = ml.Data.CreateEnumerable<ScoredNoteRow>(scored, reuseRowObject: false).ToList();
        Assert.AreEqual(rows.Count, computed, "one computation per row (the old view read the input with two cursors, computing it twice)");

        using var engine = ml.Model.CreatePredictionEngine<IdRow, ScoredIdRow>(model);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(i, read[i].Id);
            Assert.AreEqual($"row {i}", read[i].Note);
            CollectionAssert.AreEqual(rows[i].Raw, read[i].Tokens);
            Assert.AreEqual(engine.Predict(new IdRow { Tokens = rows[i].Raw }).Score, read[i].Score, 1e-5, $"row {i}");
        }
    }

    [TestMethod]
    public void ASourceWhoseCursorsDisagreeIsStillScoredRowByRowCorrectly()
    {
        var ml = new MLContext(seed: 1);
        var model = TrainBinary(ml);
        var rows = ScoringRows(300);
        // Every cursor after the first starts a row later: a view that opens two cursors pairs row t with row t + 1.
        var scored = model.Transform(new DisagreeingCursorsDataView(ml.Data.LoadFromEnumerable(rows)));
        var read = ml.Data.CreateEnumerable<ScoredIdRow>(scored, reuseRowObject: false).ToList();

        using var engine = ml.Model.CreatePredictionEngine<IdRow, ScoredIdRow>(model);
        Assert.HasCount(rows.Count, read);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(i, read[i].Id);
            Assert.AreEqual(engine.Predict(rows[i]).Score, read[i].Score, 1e-5, $"row {i}");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(4)]
    public void ACursorSetSplitsTheInputAndGivesWhatOneCursorGives(int n)
    {
        var ml = new MLContext(seed: 1);
        var model = TrainBinary(ml);
        var rows = ScoringRows(3 * 256 + 5);
        var source = new PartitionedDataView(ml.Data.LoadFromEnumerable(rows));
        var scored = model.Transform(source);
        var columns = new[] { scored.Schema["Id"], scored.Schema["Score"], scored.Schema["Probability"] };

        var expected = ReadAll([scored.GetRowCursor(columns)]);
        var cursors = scored.GetRowCursorSet(columns, n);
        Assert.HasCount(n, cursors, "the input's cursor set, one scoring cursor each");
        if (n > 1)
            Assert.AreEqual(n, source.LastSetSize);
        var parts = ReadAll(cursors);

        Assert.HasCount(rows.Count, parts);
        foreach (var (id, values) in expected)
        {
            Assert.IsTrue(parts.TryGetValue(id, out var part), $"row id {id} is missing from the cursor set");
            Assert.AreEqual(values.Id, part.Id);
            Assert.AreEqual(values.Batch, part.Batch, "a row keeps its batch (ML.NET consolidates a set by batch)");
            Assert.AreEqual(values.Score, part.Score, 1e-5);
            Assert.AreEqual(values.Probability, part.Probability, 1e-5);
        }
    }

    private static Dictionary<DataViewRowId, (int Id, long Batch, float Score, float Probability)> ReadAll(DataViewRowCursor[] cursors)
    {
        var result = new Dictionary<DataViewRowId, (int, long, float, float)>();
        // Read concurrently, as ML.NET's consumers of a cursor set do.
        var parts = cursors.AsParallel().WithDegreeOfParallelism(cursors.Length).Select(cursor =>
        {
            using (cursor)
            {
                var list = new List<(DataViewRowId, (int, long, float, float))>();
                var idGetter = cursor.GetIdGetter();
                var id = cursor.GetGetter<int>(cursor.Schema["Id"]);
                var score = cursor.GetGetter<float>(cursor.Schema["Score"]);
                var probability = cursor.GetGetter<float>(cursor.Schema["Probability"]);
                DataViewRowId rowId = default;
                (int i, float s, float p) = (0, 0, 0);
                while (cursor.MoveNext())
                {
                    idGetter(ref rowId);
                    id(ref i);
                    score(ref s);
                    probability(ref p);
                    list.Add((rowId, (i, cursor.Batch, s, p)));
                }
                return list;
            }
        }).ToList();
        foreach (var (rowId, values) in parts.SelectMany(p => p))
            Assert.IsTrue(result.TryAdd(rowId, values), $"row id {rowId} was read twice");
        return result;
    }
}
