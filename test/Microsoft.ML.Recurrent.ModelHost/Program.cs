using Microsoft.ML;
using Microsoft.ML.Recurrent.ModelHost;

// Usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <column>[,<column>...]
// Prints one line per row: the columns' values formatted by RowFormatter.
if (args.Length != 5 || args[0] != "score")
{
    Console.Error.WriteLine("usage: ModelHost score <model.zip> <input.idv> <transform|rowmapper> <columns>");
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
