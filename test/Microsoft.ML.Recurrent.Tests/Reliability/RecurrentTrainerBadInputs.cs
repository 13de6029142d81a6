using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>The recurrent sequence trainers (binary, multiclass, regression) and their trained transformer.</summary>
internal static class RecurrentTrainerBadInputs
{
    private const string Binary = "BinaryClassification.Trainers.Recurrent";
    private const string Multiclass = "MulticlassClassification.Trainers.Recurrent";
    private const string Regression = "Regression.Trainers.Recurrent";

    private static RecurrentSequenceTrainerOptions Small(Action<RecurrentSequenceTrainerOptions>? change = null)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.HiddenSize = 4;
        options.EmbeddingSize = 4;
        options.Seed = 1;
        change?.Invoke(options);
        return options;
    }

    private static RecurrentSequenceTransformer TrainBinary(IEnumerable<OrderTask.Row> rows, Action<RecurrentSequenceTrainerOptions>? change = null)
        => new MLContext(seed: 1).BinaryClassification.Trainers.Recurrent(Small(change)).Fit(Load(rows));

    private static readonly Lazy<RecurrentSequenceTransformer> Trained = new(() => TrainBinary(OrderTask.Generate(16, seed: 1)));

    private static float Score(params int[] tokens) => Column<float>(Trained.Value.Transform(Load(new[] { new OrderTask.Row { Tokens = tokens } })), "Score")[0];

    private static RecurrentSequenceTransformer TrainRegression(IDataView data, Action<RecurrentSequenceTrainerOptions>? change = null)
        => new MLContext(seed: 1).Regression.Trainers.Recurrent(Small(o =>
        {
            o.FeatureColumnName = "Values";
            o.FeatureSize = 1;
            change?.Invoke(o);
        })).Fit(data);

    private static RecurrentSequenceTransformer TrainMulticlass(IEnumerable<ClassRow> rows, IEnumerable<ClassRow>? keysFrom = null)
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(Load(keysFrom ?? rows));
        return ml.MulticlassClassification.Trainers.Recurrent(Small()).Fit(keys.Transform(Load(rows)));
    }

    private static ClassRow[] Classes(params string[] names) => names.Select((n, i) => new ClassRow { Tokens = [2 + i % 3, 5], Class = n }).ToArray();

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Error<InvalidDataException>(Binary, "empty IDataView", () =>
            TrainBinary([]), "no rows", "'Tokens'");
        yield return BadInputCase.Result(Binary, "single row", () =>
            Assert.IsTrue(float.IsFinite(Column<float>(TrainBinary(OrderTask.Generate(1, seed: 1)).Transform(Load(OrderTask.Generate(3, seed: 2))), "Score")[0])));
        yield return BadInputCase.Result(Binary, "single class", () =>
        {
            var model = TrainBinary(OrderTask.Generate(16, seed: 1).Where(r => r.Label));
            Assert.IsTrue(Column<float>(model.Transform(Load(OrderTask.Generate(4, seed: 2))), "Probability").All(float.IsFinite));
        });
        yield return BadInputCase.Result(Binary, "batch larger than the data", () =>
            TrainBinary(OrderTask.Generate(5, seed: 1), o => o.BatchSize = 1000));
        yield return BadInputCase.Error<InvalidDataException>(Binary, "zero-length sequence at training", () =>
            TrainBinary([.. OrderTask.Generate(4, seed: 1), new OrderTask.Row()]), "'Tokens'", "row index 4", "empty");
        yield return BadInputCase.Result(Binary, "zero-length sequence at prediction", () => Assert.IsTrue(float.IsFinite(Score())));
        yield return BadInputCase.Result(Binary, "sequence longer than any trained length", () =>
            Assert.IsTrue(float.IsFinite(Score([.. Enumerable.Range(0, 2000).Select(i => 7 + i % 13), 5, 6]))));
        yield return BadInputCase.Result(Binary, "token id outside the vocabulary at prediction", () =>
            Assert.AreEqual(Score(5, 1, 6), Score(5, 123_456, 6)));
        yield return BadInputCase.Result(Binary, "token id outside the training rows' vocabulary in validation data", () =>
        {
            // The vocabulary comes from the training rows (largest id + 1); validation reads larger ids as unknown (1), as prediction does.
            var training = OrderTask.Generate(16, seed: 1);
            int largest = training.Max(r => r.Tokens.Max());
            var validation = OrderTask.Generate(8, seed: 3).Select(r => new OrderTask.Row { Tokens = [.. r.Tokens, largest + 50], Label = r.Label }).ToList();
            var options = Small(o => { o.ValidationFraction = 0; o.Epochs = 2; });
            var trainer = new MLContext(seed: 1).BinaryClassification.Trainers.Recurrent(options);
            var model = trainer.Fit(Load(training), Load(validation));
            Assert.AreEqual(largest + 1, model.ModelSettings.VocabularySize);
            Assert.AreEqual(2, trainer.LastTrainingHistories.Single().Epochs.Count(e => double.IsFinite(e.ValidationLoss ?? double.NaN)), "both epochs validated");
        });
        yield return BadInputCase.Error<InvalidDataException>(Binary, "negative token id at training", () =>
            TrainBinary([new OrderTask.Row { Tokens = [5, -3, 6], Label = true }]), "'Tokens'", "-3");
        yield return BadInputCase.Result(Binary, "negative token id at prediction", () => Assert.AreEqual(Score(5, 1, 6), Score(5, -3, 6)));
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "wrong column name", () =>
            TrainBinary(OrderTask.Generate(4, seed: 1), o => o.FeatureColumnName = "Words"), "'Words'", "Tokens");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "wrong label type", () =>
            new MLContext().BinaryClassification.Trainers.Recurrent(Small(o => o.FeatureColumnName = "Values")).Fit(Floats([1f])), "'Values'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "wrong column type at prediction", () =>
            Trained.Value.Transform(Load(new[] { new TextTokensRow { Tokens = "5 6" } })), "'Tokens'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "absurd hyper-parameter: hidden size 0", () =>
            new MLContext().BinaryClassification.Trainers.Recurrent(Small(o => o.HiddenSize = 0)), "HiddenSize");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "absurd hyper-parameter: negative learning rate", () =>
            new MLContext().BinaryClassification.Trainers.Recurrent(Small(o => o.LearningRate = -0.1)), "LearningRate");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "absurd hyper-parameter: batch size 0", () =>
            new MLContext().BinaryClassification.Trainers.Recurrent(Small(o => o.BatchSize = 0)), "BatchSize");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Binary, "absurd hyper-parameter: 0 epochs", () =>
            new MLContext().BinaryClassification.Trainers.Recurrent(Small(o => o.Epochs = 0)), "Epochs");

        yield return BadInputCase.Error<InvalidDataException>(Regression, "NaN in numeric input at training", () =>
            TrainRegression(Floats([1f, 2f], [3f, float.NaN])), "'Values'", "row index 1", "NaN");
        yield return BadInputCase.Error<InvalidOperationException>(Regression, "infinity in numeric input at prediction", () =>
            Column<float>(TrainRegression(Floats([1f, 2f], [3f])).Transform(Floats([float.NegativeInfinity])), "Score"), "'Values'", "element 0");
        yield return BadInputCase.Error<InvalidDataException>(Regression, "NaN label", () =>
            TrainRegression(Load(new[] { new FloatRow { Values = [1f], Label = float.NaN } })), "'Label'", "NaN");
        yield return BadInputCase.Error<InvalidDataException>(Regression, "vector size mismatch", () =>
            TrainRegression(Floats([1f, 2f, 3f]), o => o.FeatureSize = 2), "'Values'", "not a multiple of the feature size 2");
        yield return BadInputCase.Error<TrainingDivergedException>(Regression, "NaN loss from extreme labels", () =>
            TrainRegression(Load(new[] { new FloatRow { Values = [1f], Label = 3e38f }, new FloatRow { Values = [2f], Label = -3e38f } })),
            "epoch 1, batch 1");

        yield return BadInputCase.Result(Multiclass, "single class", () =>
            Assert.AreEqual(1, Column<float[]>(TrainMulticlass(Classes("a", "a", "a")).Transform(TrainMulticlassInput()), "Score")[0].Length));
        yield return BadInputCase.Error<InvalidDataException>(Multiclass, "label unseen when the keys were fitted", () =>
            TrainMulticlass(Classes("a", "b", "c"), keysFrom: Classes("a", "b")), "'Label'", "missing");
        yield return BadInputCase.Result(Multiclass, "label unseen at training, at prediction", () =>
        {
            var model = TrainMulticlass(Classes("a", "b", "a", "b"));
            var ml = new MLContext();
            var unseen = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(Load(Classes("a", "b"))).Transform(Load(Classes("zzz")));
            Assert.AreEqual(2, Column<float[]>(model.Transform(unseen), "Score")[0].Length);
        });
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Multiclass, "wrong label type", () =>
            new MLContext().MulticlassClassification.Trainers.Recurrent(Small(o => o.LabelColumnName = "Class")).Fit(Load(Classes("a"))), "'Class'", "key");
    }

    private static IDataView TrainMulticlassInput() => Load(Classes("a"));
}
