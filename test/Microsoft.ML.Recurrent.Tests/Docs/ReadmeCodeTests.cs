using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Microsoft.ML.Recurrent.Tests.Docs;

/// <summary>
/// Every C# block of README.md compiles, as a program of its own, the way a new console app would build it: the
/// block's own using directives plus the implicit usings of `dotnet new console`, against the library and ML.NET.
/// </summary>
[TestClass]
public sealed class ReadmeCodeTests
{
    private static readonly string[] ConsoleImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [TestMethod]
    public void EveryCSharpBlockOfTheReadmeCompiles()
    {
        var blocks = CSharpBlocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        Assert.IsTrue(blocks.Count >= 2, $"README.md has its C# examples ({blocks.Count} found)");
        for (int i = 0; i < blocks.Count; i++)
        {
            var errors = Compile(blocks[i]);
            Assert.AreEqual(0, errors.Count, $"README C# block {i + 1} does not compile:\n{string.Join('\n', errors)}\n---\n{blocks[i]}");
        }
    }

    [TestMethod]
    public void TheCheckCatchesABlockThatNoLongerCompiles()
    {
        // The same compilation must fail for a pipeline that names a catalog method the library does not have, or that
        // needs a namespace the block does not import.
        Assert.IsTrue(Compile("using Microsoft.ML;\nvar c = new MLContext();\nvar e = c.Transforms.Text.TokenizeToSequenceX(\"T\", \"Text\");").Count > 0);
        Assert.IsTrue(Compile("var c = new MLContext();").Count > 0);
    }

    internal static List<string> CSharpBlocks(string markdown)
        => Regex.Matches(markdown, "```csharp\\r?\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Compiles <paramref name="files"/> as one console program with the implicit usings of `dotnet new console`; returns the errors.</summary>
    internal static List<string> Compile(params string[] files)
    {
        var trees = files.Select(code => CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)))
            .Append(CSharpSyntaxTree.ParseText(string.Concat(ConsoleImplicitUsings.Select(u => $"global using global::{u};\n"))))
            .ToArray();
        var compilation = CSharpCompilation.Create("ReadmeBlock", trees, References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        return result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
    }

    // The framework's reference set plus every assembly beside the tests (the library, ML.NET, TorchSharp...).
    private static IReadOnlyList<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "RecurrentMl.sln")))
                return folder.FullName;
        throw new DirectoryNotFoundException($"No RecurrentMl.sln above {AppContext.BaseDirectory}.");
    }
}
