using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class SequenceTaggingTrainerTests
{
    private static readonly Lazy<(MLContext Ml, SequenceTaggingTransformer Model)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TaggingTestData.Generate(150, seed: 1));
        return (ml, ml.SequenceTagging().Trainers.BiLstm(TaggingTestData.SmallOptions()).Fit(train));
    });

    [TestMethod]
    public void LearnsEntitiesOfTemplateSentences()
    {
        var (ml, model) = Trained.Value;
        var test = ml.Data.LoadFromEnumerable(TaggingTestData.Generate(60, seed: 2));
        var metrics = ml.SequenceTagging().Evaluate(model.Transform(test));
        Assert.IsTrue(metrics.F1 > 0.9, $"F1 {metrics.F1}, token accuracy {metrics.TokenAccuracy}");
    }

    [TestMethod]
    public void PredictionsStayAlignedWithSentencesLongerThanAnySeenInTraining()
    {
        var (ml, model) = Trained.Value;
        var longest = TaggingTestData.Generate(150, seed: 1).Max(r => r.Tokens.Length);
        var rows = new[]
        {
            new TaggingTestData.Row { Tokens = Enumerable.Range(0, 5 * longest).Select(i => i % 3 == 0 ? "Paris" : "zzz" + i).ToArray() },
            new TaggingTestData.Row { Tokens = [] },
            new TaggingTestData.Row { Tokens = ["Unseenname", "visited", "Qwerty", "."] },
        };
        foreach (var row in rows)
            row.Tags = row.Tokens.Select(_ => "O").ToArray();
        var predicted = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<string[]>("PredictedTags").ToArray();
        for (int i = 0; i < rows.Length; i++)
            Assert.AreEqual(rows[i].Tokens.Length, predicted[i].Length, $"row {i}");
        Assert.IsTrue(predicted[0].All(model.Tags.Contains));
    }

    private sealed class Prediction
    {
        [VectorType] public string[] PredictedTags { get; set; } = [];
    }

    [TestMethod]
    public void PredictionEngineAgreesWithTransform()
    {
        // Its own model: disposing a PredictionEngine disposes the transformer it was made from.
        var ml = new MLContext(seed: 1);
        var rows = TaggingTestData.Generate(30, seed: 7);
        var model = ml.SequenceTagging().Trainers.BiLstm(TaggingTestData.SmallOptions(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(rows));
        var expected = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<string[]>("PredictedTags").ToArray();
        using var engine = ml.Model.CreatePredictionEngine<TaggingTestData.Row, Prediction>(model);
        for (int i = 0; i < rows.Count; i++)
            CollectionAssert.AreEqual(expected[i], engine.Predict(rows[i]).PredictedTags, $"row {i}");
    }

    [TestMethod]
    public void TransformTagsBlocksOfSentencesLikeThePredictionEngine()
    {
        var (ml, model) = Trained.Value;
        // More sentences than one read-ahead block, with an empty one inside the second block.
        var rows = TaggingTestData.Generate(300, seed: 11);
        rows[270].Tokens = [];
        rows[270].Tags = [];
        var view = model.Transform(ml.Data.LoadFromEnumerable(rows));
        Assert.IsInstanceOfType<Microsoft.ML.Recurrent.MLNetBridge.ReadAheadScoredDataView<string[], string[]>>(view, "Transform took the batched path");
        var batched = view.GetColumn<string[]>("PredictedTags").ToArray();
        var oneByOne = rows.Select(r => model.Predict(r.Tokens)).ToArray();
        Assert.HasCount(rows.Count, batched);
        for (int i = 0; i < rows.Count; i++)
            CollectionAssert.AreEqual(oneByOne[i], batched[i], $"row {i}");
    }

    [TestMethod]
    public void AnUnknownTagInEvaluationDataIsNamed()
    {
        var (ml, model) = Trained.Value;
        var rows = TaggingTestData.Generate(3, seed: 5);
        rows[2].Tags[0] = "B-FOOD";
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.SequenceTagging().Evaluate(model.Transform(ml.Data.LoadFromEnumerable(rows))));
        StringAssert.Contains(error.Message, "'B-FOOD'");
        StringAssert.Contains(error.Message, "row 2");
    }

    [TestMethod]
    public void MismatchedTokenAndTagCountsAreRejectedNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = TaggingTestData.Generate(4, seed: 1);
        rows[3].Tags = rows[3].Tags[1..];
        var trainer = ml.SequenceTagging().Trainers.BiLstm(TaggingTestData.SmallOptions(epochs: 1));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "row 3");
    }

    [TestMethod]
    public void TrainsWithoutCrfAndWithKeyTags()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TaggingTestData.Generate(60, seed: 1));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Tags").Fit(data).Transform(data);
        var options = TaggingTestData.SmallOptions(epochs: 2);
        options.UseCrf = false;
        options.CharacterFeatures = false;
        var model = ml.SequenceTagging().Trainers.BiLstm(options).Fit(keyed);
        var metrics = ml.SequenceTagging().Evaluate(model.Transform(keyed));
        Assert.AreEqual(60, metrics.SentenceCount);
        CollectionAssert.IsSubsetOf(new[] { "B-PER", "O" }, model.Tags.ToArray());
    }

    [TestMethod]
    public void SavedModelPredictsTheSameTagsInAFreshProcess()
    {
        var (ml, model) = Trained.Value;
        using var folder = new TempFolder();
        var rows = TaggingTestData.Generate(20, seed: 9);
        rows.Add(new TaggingTestData.Row { Tokens = ["Zorblax", "visited", "Xanadu", "yesterday", "."], Tags = ["O", "O", "O", "O", "O"] });
        var input = ml.Data.LoadFromEnumerable(rows);
        string modelPath = folder.File("tagger.zip"), inputPath = folder.File("input.idv");
        ml.Model.Save(model, input.Schema, modelPath);
        Assert.AreEqual("SequenceTagging", ModelInspector.ReadStories(modelPath).Single().Task, "the saved model carries its story");
        using (var stream = File.Create(inputPath))
            ml.Data.SaveAsBinary(input, stream);
        var expected = model.Transform(input).GetColumn<string[]>("PredictedTags").Select(tags => string.Join(',', tags)).ToList();
        CollectionAssert.AreEqual(expected, FreshProcess.Score(modelPath, inputPath, "transform", "PredictedTags"));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(modelPath, inputPath, "rowmapper", "PredictedTags"));
    }
}
