using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.Recurrent.Tests.Docs;

namespace Microsoft.ML.Recurrent.Tests.MLNetBridge;

/// <summary>
/// The bridge boundary the README promises: only the files under a library project's <c>MLNetBridge/</c> folder may
/// use what ML.NET keeps internal. The build compiles against copies of Microsoft.ML.Core and Microsoft.ML.Data in
/// which every internal member is public (tools/Publicizer), so the compiler cannot keep the boundary; this test
/// compiles each project's sources again against the real ML.NET assemblies (the ones the tests run on). The sources
/// compile against the publicized copies, so every error there comes from ML.NET's access rules (an inaccessible type
/// or member, an internal overload or constructor, an internal abstract member, an internal extension method), and
/// each one must sit in a bridge file.
/// </summary>
[TestClass]
public sealed class BridgeBoundaryTests
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [TestMethod]
    [DataRow("Microsoft.ML.Recurrent.Onnx")]
    [DataRow("Microsoft.ML.Recurrent")]
    public void OnlyTheBridgeTouchesMLNetInternals(string project)
    {
        var (outside, inside) = AccessErrorsOf(project);

        // The check can see an internal access: the bridge itself is made of them.
        Assert.IsTrue(inside.Count > 0, $"{project}: no access error even in MLNetBridge/, so the check sees nothing.");
        Assert.AreEqual(0, outside.Count,
            $"{project}: files outside MLNetBridge/ use ML.NET internals (move the access behind an adapter in MLNetBridge/):\n{string.Join("\n", outside)}");
    }

    /// <summary>The access errors of <paramref name="project"/>'s sources compiled against the real ML.NET.</summary>
    internal static (List<string> Outside, List<string> Inside) AccessErrorsOf(string project)
    {
        string folder = Path.Combine(ReadmeCodeTests.RepositoryRoot(), "src", project);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parse, path))
            .Append(CSharpSyntaxTree.ParseText(string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), parse))
            .ToList();
        var compilation = CSharpCompilation.Create(project, trees, References(project),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        // A bridge base class that overrides an internal abstract member of ML.NET (RecurrentTransformerBase's SaveModel
        // and MakeRowMapper) cannot do so against the real ML.NET, so the compiler also reports every class derived
        // from it, here or in another assembly, as not implementing that member (CS0534). Those reports follow from the bridge's own error and are
        // not counted; a file outside that overrides the member itself still fails (CS0115).
        // The bridge folders of every library project count: the base class may live in a referenced one.
        var bridgeOverrides = Directory.EnumerateDirectories(Path.Combine(ReadmeCodeTests.RepositoryRoot(), "src"), "MLNetBridge", SearchOption.AllDirectories)
            .SelectMany(bridge => Directory.EnumerateFiles(bridge, "*.cs"))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parse, path))
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            .Where(method => method.Modifiers.Any(SyntaxKind.OverrideKeyword))
            .Select(method => method.Identifier.Text)
            .ToHashSet(StringComparer.Ordinal);

        var (outside, inside) = (new List<string>(), new List<string>());
        foreach (var error in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            string path = error.Location.SourceTree?.FilePath ?? "";
            string relative = path.Length > 0 ? Path.GetRelativePath(folder, path).Replace('\\', '/') : "(no file)";
            string line = $"{relative}({error.Location.GetLineSpan().StartLinePosition.Line + 1}): {error.Id} {error.GetMessage()}";
            if (error.Id == "CS0534" && bridgeOverrides.Any(name => error.GetMessage().Contains($".{name}(", StringComparison.Ordinal)))
                continue;
            if (relative.StartsWith("MLNetBridge/", StringComparison.Ordinal))
                inside.Add(line);
            else
                outside.Add(line);
        }
        return (outside, inside);
    }

    // What the tests run on: the framework, the real ML.NET and TorchSharp, and the library's other assemblies (the
    // project's own assembly is left out, since its sources are what is compiled).
    private static List<MetadataReference> References(string project)
        => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Where(p => !Path.GetFileNameWithoutExtension(p).Equals(project, StringComparison.OrdinalIgnoreCase))
            .Where(p => !Path.GetFileNameWithoutExtension(p).StartsWith("Microsoft.ML.Recurrent.Tests", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
}
