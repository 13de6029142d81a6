using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Inspection;

[TestClass]
public sealed class ModelStoryTests
{
    [TestMethod]
    public void ATrainedModelCarriesItsStoryThroughSaveAndLoad()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 5);
        var rows = OrderTask.Generate(120, seed: 9);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
        options.ValidationFraction = 0.2;
        var model = ml.Transforms.CopyColumns("Copy", "Tokens").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(data);

        var story = ModelInspector.Stories(model).Single();
        Assert.AreEqual("BinaryClassification", story.Task);
        Assert.AreEqual(120, story.TrainingRows);
        Assert.AreEqual("16", story.Hyperparameters["HiddenSize"]);
        Assert.AreEqual("Tokens", story.Hyperparameters["FeatureColumnName"]);
        Assert.AreEqual(2, story.History.Single().Count);
        Assert.AreEqual("accuracy", story.MonitoredValue);
        Assert.IsTrue(story.Metrics.ContainsKey("validation accuracy"));
        Assert.AreEqual(64, story.TrainingDataFingerprint.Length);
        Assert.IsFalse(string.IsNullOrEmpty(story.LibTorchVersion));

        ml.Model.Save(model, data.Schema, folder.File("model.zip"));
        var fromFile = ModelInspector.ReadStories(folder.File("model.zip")).Single();
        var fromLoaded = ModelInspector.Stories(new MLContext().Model.Load(folder.File("model.zip"), out _)).Single();
        Assert.AreEqual(story.ToJson(), fromFile.ToJson());
        Assert.AreEqual(story.ToJson(), fromLoaded.ToJson());
    }

    [TestMethod]
    public void TheFingerprintFollowsTheTrainingData()
    {
        string Fingerprint(int seed)
        {
            var ml = new MLContext(seed: 1);
            var model = ml.BinaryClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1))
                .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed)));
            return ModelInspector.Stories(model).Single().TrainingDataFingerprint;
        }
        Assert.AreEqual(Fingerprint(1), Fingerprint(1));
        Assert.AreNotEqual(Fingerprint(1), Fingerprint(2));
    }

    [TestMethod]
    public void ReadingAFileThatIsNotAModelFailsClearly()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("not-a-model.zip"), "hello");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelInspector.ReadStories(folder.File("not-a-model.zip")));
        StringAssert.Contains(error.Message, "not-a-model.zip");
        Assert.ThrowsExactly<FileNotFoundException>(() => ModelInspector.ReadStories(folder.File("missing.zip")));
    }
}
