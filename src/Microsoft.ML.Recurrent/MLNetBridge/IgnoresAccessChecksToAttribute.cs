// The runtime honours this attribute by name: it lets this assembly use members that ML.NET keeps internal
// (see tools/Publicizer/UsePublicizedMLNet.targets). The attribute class itself is declared once, in
// Microsoft.ML.Recurrent.Onnx (internal, visible here), which needs the same access.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
