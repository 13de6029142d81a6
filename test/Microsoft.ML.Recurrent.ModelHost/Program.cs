using Microsoft.ML;
using Microsoft.ML.Recurrent.ModelHost;

// Usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <column>[,<column>...]
//          prints one line per row: the columns' values formatted by RowFormatter.
//        ModelHost save-loop <model.zip> <destination.zip>
//          saves the model atomically to the destination again and again, printing "saved" after each save,
//          until killed (the atomic-save test kills it in the middle of a save).
if (args.Length == 3 && args[0] == "save-loop")
{
    var context = new MLContext(seed: 1);
    var loaded = context.Model.Load(args[1], out var schema);
    while (true)
    {
        Microsoft.ML.Recurrent.ModelOperationsCatalogExtensions.SaveAtomically(context.Model, loaded, schema, args[2]);
        Console.WriteLine("saved");
        Console.Out.Flush();
    }
}
if (args.Length != 5 || args[0] != "score")
{
    Console.Error.WriteLine("usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <columns> | save-loop <model.zip> <destination.zip>");
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
