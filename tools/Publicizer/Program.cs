using Mono.Cecil;

// Usage: Publicizer <output folder> <assembly.dll>...
// Writes, for each input assembly, a copy whose types and members are all visible to other assemblies.
// Only the compiler sees these copies; at run time the real assemblies load and the library's
// IgnoresAccessChecksTo attributes let the runtime accept the access.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output folder> <assembly.dll>...");
    return 2;
}

string outputFolder = args[0];
Directory.CreateDirectory(outputFolder);
foreach (string inputPath in args.Skip(1))
{
    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(inputPath))!);
    using var assembly = AssemblyDefinition.ReadAssembly(inputPath, new ReaderParameters { AssemblyResolver = resolver });
    foreach (var type in assembly.MainModule.GetTypes())
        Publicize(type);

    string outputPath = Path.Combine(outputFolder, Path.GetFileName(inputPath));
    string temporaryPath = outputPath + ".tmp";
    assembly.Write(temporaryPath);
    File.Move(temporaryPath, outputPath, overwrite: true);
    Console.WriteLine($"Publicizer: {inputPath} -> {outputPath}");
}
return 0;

static bool IsCompilerGenerated(string name) => name.Contains('<');

static void Publicize(TypeDefinition type)
{
    if (IsCompilerGenerated(type.Name))
        return;
    if (type.IsNested)
    {
        // Private nested types are implementation details no caller needs; widening them only adds name clashes.
        if (type.IsNestedPrivate)
            return;
        type.IsNestedPublic = true;
    }
    else
        type.IsPublic = true;

    foreach (var method in type.Methods)
    {
        // Explicit interface implementations keep their private slot: making them public adds ambiguous overloads.
        if (IsCompilerGenerated(method.Name) || method.Name.Contains('.') && !method.IsConstructor)
            continue;
        // Private members stay private: nothing outside ML.NET needs them, and widening them makes fields and
        // methods of derived classes hide them.
        if (method.IsPublic || method.IsPrivate)
            continue;
        // An overridable member must stay protected: the library overrides it, and the runtime
        // (told to ignore access checks) accepts a protected override of a private protected slot.
        if (method.IsVirtual && !method.IsFinal)
            method.IsFamily = true;
        else
            method.IsPublic = true;
    }

    foreach (var field in type.Fields)
    {
        if (!IsCompilerGenerated(field.Name) && !field.IsPublic && !field.IsPrivate)
            field.IsPublic = true;
    }
}
