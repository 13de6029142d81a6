using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Tests.MLNetBridge;

[TestClass]
public sealed class MLNetCompatibilityTests
{
    [TestMethod]
    public void TheMicrosoftMLThisProcessRunsIsReadAndSupported()
    {
        var running = MLNetCompatibility.RunningVersion();
        Assert.IsNotNull(running, "Microsoft.ML states its package version");
        // Independently: the version NuGet resolved for this test project, as its deps file records it (6.0.0
        // normally, 5.0.1 in CI's oldest-versions run).
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.Tests.deps.json"));
        var resolved = System.Text.RegularExpressions.Regex.Match(deps, "\"Microsoft\\.ML/([0-9.]+)\"");
        Assert.IsTrue(resolved.Success, "the deps file lists Microsoft.ML");
        Assert.AreEqual(Version.Parse(resolved.Groups[1].Value), running);
        MLNetCompatibility.Check(running);
    }

    [TestMethod]
    [DataRow("5.0.0")]
    [DataRow("4.0.2")]
    [DataRow("7.0.0")]
    [DataRow("8.1.0")]
    public void AnUnsupportedVersionFailsNamingBothVersions(string version)
    {
        var error = Assert.ThrowsExactly<NotSupportedException>(() => MLNetCompatibility.Check(Version.Parse(version)));
        StringAssert.Contains(error.Message, $"runs Microsoft.ML {version}");
        StringAssert.Contains(error.Message, "supports Microsoft.ML 5.0.1 up to, not including, 7.0.0");
    }

    [TestMethod]
    [DataRow("5.0.1")]
    [DataRow("6.0.0")]
    [DataRow("6.9.9")]
    public void SupportedVersionsPass(string version) => MLNetCompatibility.Check(Version.Parse(version));
}
