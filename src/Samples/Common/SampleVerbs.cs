using System.CommandLine;
using Microsoft.ML.Recurrent.Runtime;

namespace Samples.Common;

/// <summary>
/// The System.CommandLine plumbing shared by every verb: parsing, the one error format, and the exit codes
/// (0 success, 1 a verb's own "nothing to show", 2 bad arguments or bad input data).
/// </summary>
public static class SampleVerbs
{
    /// <summary>
    /// Parses and runs. Parse errors (unknown options, bad values, missing files) and the argument and data errors a
    /// verb throws (<see cref="ArgumentException"/>, <see cref="FormatException"/>, <see cref="FileNotFoundException"/>,
    /// <see cref="InvalidDataException"/>) print as <c>error: MESSAGE</c> lines on standard error followed by a hint
    /// naming the verb's help, and exit with 2.
    /// </summary>
    /// <param name="root">The command line.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Where help goes (default: standard output). The verbs themselves write to the console.</param>
    /// <param name="error">Where errors go (default: standard error).</param>
    public static int Invoke(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        error ??= Console.Error;
        // "@file" stays a plain token: a prompt or a path may start with @.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        string hint = HelpHint(result);
        if (result.Errors.Count > 0)
            return Fail(error, result.Errors.Select(e => e.Message), hint);
        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output ?? Console.Out, Error = error });
        }
        catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or InvalidDataException)
        {
            return Fail(error, [e.Message], hint);
        }
    }

    /// <summary>Sets LibTorch's intra-op threads when <paramref name="threads"/> is given (null keeps LibTorch's default, one per core).</summary>
    public static void SetTorchThreads(int? threads)
    {
        if (threads is not { } count)
            return;
        TorchRuntime.EnsureInitialized();
        TorchSharp.torch.set_num_threads(count);
    }

    /// <summary>The description line of <c>--threads</c>, the same for every verb.</summary>
    public static string ThreadsDescription(string defaultBehaviour)
        => $"LibTorch intra-op threads; {defaultBehaviour}. One thread is often faster when other processes load the same cores (see docs/platform.md).";

    private static int Fail(TextWriter error, IEnumerable<string> messages, string hint)
    {
        foreach (string message in messages)
            error.WriteLine($"error: {message}");
        error.WriteLine(hint);
        return 2;
    }

    private static string HelpHint(ParseResult result)
    {
        // The words the user typed (an alias stays an alias), the root by its name.
        var path = new List<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, command.Parent is null ? command.Command.Name : command.IdentifierToken.Value);
        return path.Count > 1
            ? $"Run '{string.Join(' ', path)} --help' for its options."
            : $"Run '{path[0]} --help' for the list of commands.";
    }
}
