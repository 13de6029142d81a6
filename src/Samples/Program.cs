using Samples;
using Samples.Common;

// Samples for Microsoft.ML.Recurrent, also packaged as the dotnet-recurrent tool. With no arguments: the sentiment
// sample end to end on generated data. Every verb declares its options with System.CommandLine (typed, with defaults,
// descriptions and validation); SampleVerbs.Invoke prints errors in one format and exits with 2.
return SampleVerbs.Invoke(Verbs.CreateRoot(), args);
