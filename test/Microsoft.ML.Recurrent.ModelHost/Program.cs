using Microsoft.ML;
using Microsoft.ML.Recurrent.ModelHost;

// Usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <column>[,<column>...]
//          prints one line per row: the columns' values formatted by RowFormatter.
//        ModelHost save-loop <model.zip> <destination.zip>
//          saves the model atomically to the destination again and again, printing "saved" after each save,
//          until killed (the atomic-save test kills it in the middle of a save).
//        ModelHost train-with-checkpoint <checkpoint> <model.zip> <stall-after-epoch, 0 = never>
//          trains a small model with a checkpoint file, prints "epoch N done" per epoch and the final scores
//          (see CheckpointTraining); the checkpoint test kills it while it stalls and resumes in another process.
//        ModelHost train-lm-with-checkpoint <checkpoint> <model.zip> <stall-after-epoch, 0 = never>
//          the same for a small language model (see LanguageModelCheckpointTraining); prints each row's log-probability.
//        ModelHost train-seq2seq-with-checkpoint <checkpoint> <model.zip> <stall-after-epoch, 0 = never>
//          the same for a small sequence-to-sequence model (see Seq2SeqCheckpointTraining); prints the per-epoch losses and each row's predicted ids.
//        ModelHost threads <application thread count, 0 = none>
//          sets LibTorch's thread count first when given one, trains a tiny model, prints the thread count after (see ThreadCountCheck).
if (args.Length == 4 && args[0] == "train-with-checkpoint")
    return CheckpointTraining.Run(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
if (args.Length == 4 && args[0] == "train-lm-with-checkpoint")
    return LanguageModelCheckpointTraining.Run(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
if (args.Length == 4 && args[0] == "train-seq2seq-with-checkpoint")
    return Seq2SeqCheckpointTraining.Run(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
if (args.Length == 2 && args[0] == "threads")
    return ThreadCountCheck.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
if (args.Length == 3 && args[0] == "save-loop")
{
    var context = new MLContext(seed: 1);
    var loaded = context.Model.Load(args[1], out var schema);
    while (true)
    {
        Microsoft.ML.ModelOperationsCatalogExtensions.SaveAtomically(context.Model, loaded, schema, args[2]);
        Console.WriteLine("saved");
        Console.Out.Flush();
    }
}
if (args.Length != 5 || args[0] != "score")
{
    Console.Error.WriteLine("usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <columns> | save-loop <model.zip> <destination.zip> | train-with-checkpoint | train-lm-with-checkpoint | train-seq2seq-with-checkpoint <checkpoint> <model.zip> <stall-after-epoch> | threads <count>");
    return 2;
}

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[1], out _);
var input = mlContext.Data.LoadFromBinary(args[2]);
string[] columns = args[4].Split(',');
var lines = args[3] switch
{
    "transform" => RowFormatter.FormatTransform(model, input, columns),
    "rowmapper" => RowFormatter.FormatRowMapper(model, input, columns),
    _ => throw new ArgumentException($"unknown path '{args[3]}'"),
};
foreach (string line in lines)
    Console.WriteLine(line);
return 0;
