namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// One bad input for one public component and what it must produce: an exception of a given type whose message names
/// the culprit (a column, a property, a row), or a documented result that the case checks itself.
/// </summary>
/// <param name="Component">The component, as named in docs/reliability.md.</param>
/// <param name="Case">The bad input, as named in docs/reliability.md.</param>
/// <param name="Run">Builds the input and exercises the component; for a documented result it also asserts the result.</param>
/// <param name="Throws">The exception expected (after ML.NET's reflection wrappers are stripped), or null for a documented result.</param>
/// <param name="Culprit">Texts the exception's message must contain (the column, property or row at fault).</param>
internal sealed record BadInputCase(string Component, string Case, Action Run, Type? Throws, string[] Culprit)
{
    public static BadInputCase Error<TException>(string component, string @case, Action run, params string[] culprit) where TException : Exception
        => new(component, @case, run, typeof(TException), culprit);

    public static BadInputCase Result(string component, string @case, Action runAndCheck)
        => new(component, @case, runAndCheck, null, []);

    public override string ToString() => $"{Component} | {Case}";
}

/// <summary>
/// Every component's bad-input cases. A new component adds one class with a static <c>Cases()</c> method and one
/// line here; the data-driven test and the documentation check pick it up.
/// </summary>
internal static class BadInputMatrix
{
    public static IEnumerable<BadInputCase> All =>
        TokenizeBadInputs.Cases()
            .Concat(PadSequenceBadInputs.Cases())
            .Concat(NormalizeSequenceBadInputs.Cases())
            .Concat(RecurrentTrainerBadInputs.Cases())
            .Concat(ForecastingBadInputs.Cases())
            .Concat(LanguageModelBadInputs.Cases())
            .Concat(MfccBadInputs.Cases());

    public static BadInputCase Find(string component, string @case)
        => All.Single(c => c.Component == component && c.Case == @case);
}

[TestClass]
public sealed class BadInputMatrixTests
{
    // Generous: the machine is shared and loaded; a hang is minutes, not seconds.
    private static readonly TimeSpan TimeBox = TimeSpan.FromSeconds(90);

    public static IEnumerable<object[]> Cases => BadInputMatrix.All.Select(c => new object[] { c.Component, c.Case });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EveryBadInputGetsAClearErrorOrItsDocumentedResult(string component, string @case)
    {
        var badInput = BadInputMatrix.Find(component, @case);
        Exception? thrown = null;
        // A dedicated thread: a hang fails this case after the time box instead of blocking the whole run.
        var run = Task.Factory.StartNew(() =>
        {
            try { badInput.Run(); }
            catch (Exception e) { thrown = e; }
        }, TaskCreationOptions.LongRunning);
        Assert.IsTrue(run.Wait(TimeBox), $"{badInput} did not finish within {TimeBox.TotalSeconds} s (a hang)");

        if (badInput.Throws is null)
        {
            if (thrown is not null)
                throw new AssertFailedException($"{badInput}: expected the documented result, got {thrown.GetType().Name}: {thrown.Message}", thrown);
            return;
        }
        Assert.IsNotNull(thrown, $"{badInput}: expected {badInput.Throws.Name}, but nothing was thrown");
        if (thrown is AssertFailedException)
            throw thrown;
        // ML.NET wraps what components throw: loaders are invoked through reflection (TargetInvocationException) and
        // multi-threaded cursors re-throw a worker's exception as the inner exception of their own. The case passes when
        // an exception of the expected type in the chain names the culprit.
        var chain = new List<Exception>();
        for (var e = thrown; e is not null; e = e.InnerException)
            chain.Add(e);
        bool named = chain.Any(e => badInput.Throws.IsInstanceOfType(e) && badInput.Culprit.All(c => e.Message.Contains(c, StringComparison.Ordinal)));
        Assert.IsTrue(named, $"{badInput}: expected {badInput.Throws.Name} naming {string.Join(", ", badInput.Culprit.Select(c => $"'{c}'"))}; got " +
            string.Join(" <- ", chain.Select(e => $"{e.GetType().Name}: {e.Message}")));
    }

    [TestMethod]
    public void TheReliabilityDocumentListsEveryCase()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "RecurrentMl.sln")))
            root = Path.GetDirectoryName(root);
        if (root is null)
            Assert.Inconclusive("Skipped: the tests run outside the repository (no RecurrentMl.sln above the test folder), so docs/reliability.md is not there to check.");
        string document = File.ReadAllText(Path.Combine(root, "docs", "reliability.md"));
        var missing = BadInputMatrix.All.Where(c => !document.Contains($"| {c.Case} | {c.Component} |", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(0, missing.Count, "docs/reliability.md lacks rows for: " + string.Join("; ", missing));
    }
}
