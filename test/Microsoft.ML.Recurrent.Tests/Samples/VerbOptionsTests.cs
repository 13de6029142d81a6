using System.CommandLine;
using global::Samples;
using global::Samples.Common;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The command line's declared options, in process (no training runs): every verb's --help lists each of its options
/// with its default, and bad values, unknown options, missing files and bad data all give the one error format
/// (<c>error: …</c> lines, then the verb's help hint) and exit code 2.
/// </summary>
[TestClass]
public sealed class VerbOptionsTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SampleVerbs.Invoke(Verbs.CreateRoot(), args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static IEnumerable<object[]> VerbNames => Verbs.CreateRoot().Subcommands.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(VerbNames))]
    public void EachVerbsHelpListsEveryOptionWithItsDescriptionAndDefault(string verb)
    {
        var command = Verbs.CreateRoot().Subcommands.Single(c => c.Name == verb);
        var (code, output, error) = Run(verb, "--help");
        Assert.AreEqual(0, code, error);
        var options = command.Options.Where(o => o.Name != "--help").ToList();
        Assert.IsTrue(options.Count >= 2, $"{verb} declares {options.Count} options");
        var lines = output.Split('\n');
        foreach (var option in options)
        {
            // Each option has a line of its own that starts with its name (and, for valued options, its value placeholder).
            var line = lines.SingleOrDefault(l => l.TrimStart().StartsWith(option.Name + " ", StringComparison.Ordinal) || l.Trim() == option.Name);
            Assert.IsNotNull(line, $"{verb} --help has no line for {option.Name}:\n{output}");
            Assert.IsFalse(string.IsNullOrWhiteSpace(option.Description), $"{verb} {option.Name} has no description");
            // Help wraps long descriptions; their first word stands on the option's line.
            StringAssert.Contains(line, option.Description!.Split(' ')[0], $"{verb} {option.Name}");
            if (option.HasDefaultValue && option.ValueType != typeof(bool))
                StringAssert.Contains(line, $"[default: {option.GetDefaultValue()}]", $"{verb} {option.Name}");
        }
    }

    [TestMethod]
    public void HelpShowsTheDefaultsOfTypedOptions()
    {
        var (code, output, _) = Run("forecast", "--help");
        Assert.AreEqual(0, code);
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"--horizon <N>\s+Steps forecast at once\. \[default: 12\]"));
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"--value-column <NAME>.*\[default: Value\]"));
    }

    [TestMethod]
    [DataRow(new[] { "sentiment", "--epochs", "0" }, "--epochs must be a positive whole number; got '0'.", "sentiment")]
    [DataRow(new[] { "sentiment", "--learning-rate", "fast" }, "--learning-rate must be a number above 0; got 'fast'.", "sentiment")]
    [DataRow(new[] { "sentiment", "--validation-fraction", "1" }, "--validation-fraction must be a number at least 0 and below 1; got '1'.", "sentiment")]
    [DataRow(new[] { "forecast", "--horizon", "-3" }, "--horizon must be a positive whole number; got '-3'.", "forecast")]
    [DataRow(new[] { "language-model", "--granularity", "syllable" }, "--granularity must be one of word, char; got 'syllable'.", "language-model")]
    [DataRow(new[] { "ner", "--data", "no-such-file.conll" }, "--data must be an existing file; got 'no-such-file.conll'.", "ner")]
    [DataRow(new[] { "seq2seq", "--minutes", "1,5" }, "--minutes must be a number above 0; got '1,5'.", "seq2seq")]
    [DataRow(new[] { "export-onnx", "--out", "x.onnx" }, "Option '--model' is required.", "export-onnx")]
    [DataRow(new[] { "sentiment", "--epoch", "3" }, "Unrecognized command or argument '--epoch'.", "sentiment")]
    // An error found while running (the data cannot serve the settings) has the same format as a parse error.
    [DataRow(new[] { "forecast", "--holdout", "1000" }, "generated monthly series (trend × seasonality × noise) has 168 points; hold-out 1000 + lookback 24 + horizon 12 need more.", "forecast")]
    public void BadArgumentsGiveOneErrorFormatAndExitCodeTwo(string[] args, string message, string verb)
    {
        var (code, output, error) = Run(args);
        Assert.AreEqual(2, code, error);
        Assert.AreEqual("", output, "nothing on standard output");
        var lines = error.TrimEnd().Split(Environment.NewLine);
        CollectionAssert.Contains(lines, "error: " + message, error);
        Assert.IsTrue(lines[..^1].All(l => l.StartsWith("error: ", StringComparison.Ordinal)), error);
        StringAssert.EndsWith(lines[^1], $" {verb} --help' for its options.");
    }

    [TestMethod]
    public void AnUnknownVerbPointsAtTheListOfCommands()
    {
        var (code, _, error) = Run("sentimnet");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "error: Unrecognized command or argument 'sentimnet'.");
        StringAssert.EndsWith(error.TrimEnd(), "--help' for the list of commands.");
    }
}
