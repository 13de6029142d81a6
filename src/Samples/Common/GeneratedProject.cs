using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML;

namespace Samples.Common;

/// <summary>
/// What <c>--code DIR</c> writes, as Model Builder does: a console project that references the library package and
/// Microsoft.ML, with a training file (the data loading and the pipeline the verb used, with its settings), a
/// consumption file (<c>ModelInput</c>, <c>ModelOutput</c>, a lazy PredictionEngine over the saved .zip, <c>Predict</c>)
/// and a Program.cs that predicts; the trained .zip is copied beside them. It builds and runs with no edits.
/// </summary>
/// <param name="Name">The project and namespace name, e.g. "SentimentApp".</param>
/// <param name="ModelFileName">The .zip's file name in the project, e.g. "sentiment-model.zip".</param>
/// <param name="Training">The training file's C#.</param>
/// <param name="Consumption">The consumption file's C#.</param>
/// <param name="Program">Program.cs.</param>
public sealed record GeneratedProject(string Name, string ModelFileName, string Training, string Consumption, string Program)
{
    /// <summary>The <c>--code</c> option of a training verb.</summary>
    public static Option<string?> CodeOption() => VerbOptions.OutputPath("--code",
        "Write a C# console project there that loads the saved model and predicts (ModelInput, ModelOutput, Predict), with the training pipeline that was used; it references the Microsoft.ML.Recurrent package.",
        helpName: "DIR");

    /// <summary>The library version the tool was built with: the generated project references that package version.</summary>
    public static string LibraryVersion => PackageVersion(typeof(Microsoft.ML.Recurrent.Inspection.ModelInspector).Assembly);

    /// <summary>The Microsoft.ML version the tool runs on.</summary>
    public static string MLNetVersion => PackageVersion(typeof(MLContext).Assembly);

    /// <summary>The project file.</summary>
    public string ProjectFile => $$"""
        <Project Sdk="Microsoft.NET.Sdk">
          <!-- Written by dotnet-recurrent: the model {{ModelFileName}} and the code that trained and consumes it. -->
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.ML" Version="{{MLNetVersion}}" />
            <PackageReference Include="Microsoft.ML.Recurrent" Version="{{LibraryVersion}}" />
          </ItemGroup>
          <ItemGroup>
            <None Include="{{ModelFileName}}" CopyToOutputDirectory="PreserveNewest" />
          </ItemGroup>
        </Project>

        """;

    /// <summary>Where a verb that saves its model only on request saves it when only <c>--code</c> is given.</summary>
    public string ModelPathIn(string directory) => Path.GetFullPath(Path.Combine(directory, ModelFileName));

    /// <summary>Writes the project into <paramref name="directory"/> with a copy of <paramref name="modelPath"/>; returns what was written, for the console.</summary>
    public string Write(string directory, string modelPath)
    {
        Directory.CreateDirectory(directory);
        string modelName = Name.EndsWith("App", StringComparison.Ordinal) ? Name[..^3] + "Model" : Name + "Model";
        var files = new Dictionary<string, string>
        {
            [$"{Name}.csproj"] = ProjectFile,
            [$"{modelName}.Training.cs"] = Training,
            [$"{modelName}.Consumption.cs"] = Consumption,
            ["Program.cs"] = Program,
        };
        foreach (var (file, text) in files)
            File.WriteAllText(Path.Combine(directory, file), text);
        string copy = Path.GetFullPath(Path.Combine(directory, ModelFileName));
        if (!string.Equals(Path.GetFullPath(modelPath), copy, StringComparison.Ordinal))
            File.Copy(modelPath, copy, overwrite: true);
        return $"Wrote the C# project {Path.Combine(directory, Name + ".csproj")} ({string.Join(", ", files.Keys.Skip(1))}, {ModelFileName}): dotnet run --project {directory}";
    }

    /// <summary>
    /// The members a consumption class shares (indented for a class body): <c>ModelPath</c> beside the program, a lazy
    /// PredictionEngine from <c>ModelInput</c> to <c>ModelOutput</c> in a fresh MLContext, and <c>Predict</c>.
    /// </summary>
    public static string PredictionEngineMembers(string modelFileName, string predictSummary) => $$"""
            /// <summary>The model dotnet-recurrent trained, copied beside the program.</summary>
            public static string ModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, {{Literal(modelFileName)}});

            private static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> Engine = new(() =>
            {
                var mlContext = new MLContext();
                var model = mlContext.Model.Load(ModelPath, out _);
                return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
            });

            /// <summary>{{predictSummary}}</summary>
            public static ModelOutput Predict(ModelInput input) => Engine.Value.Predict(input);
        """;

    /// <summary>The <c>TextLoader.Options</c> of a delimited file laid out as the training file was, as one C# expression.</summary>
    public static string TextLoaderOptions(char separator, bool hasHeader, bool multiline)
        => $"new TextLoader.Options {{ Separators = [{Literal(separator)}], HasHeader = {Literal(hasHeader)}, AllowQuoting = true, ReadMultilines = {Literal(multiline)} }}";

    /// <summary>A C# string literal.</summary>
    public static string Literal(string text) => JsonSerializer.Serialize(text);

    /// <summary>A C# char literal.</summary>
    public static string Literal(char value) => value switch
    {
        '\t' => @"'\t'",
        '\'' => @"'\''",
        '\\' => @"'\\'",
        _ => $"'{value}'",
    };

    /// <summary>A C# double literal that reads back to the same value.</summary>
    public static string Literal(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    /// <summary>A C# bool literal.</summary>
    public static string Literal(bool value) => value ? "true" : "false";

    private static string PackageVersion(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no version.");
        // "0.2.0-suffix+commit": the package version is what comes before the build metadata.
        int plus = version.IndexOf('+');
        return plus >= 0 ? version[..plus] : version;
    }
}
