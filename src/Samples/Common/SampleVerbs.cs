using System.CommandLine;

namespace Samples.Common;

/// <summary>
/// The System.CommandLine plumbing shared by Program.cs: training commands keep their own
/// <c>Run(string[] args)</c> parsers (so their --json contracts and option spellings stay as they are), and are
/// plugged in as pass-through verbs, one line each.
/// </summary>
public static class SampleVerbs
{
    /// <summary>
    /// A verb whose tokens after the name go unchanged, in order, to <paramref name="run"/>. The usage goes in the
    /// description so that <c>Samples VERB --help</c> shows the command's own options.
    /// </summary>
    public static Command PassThrough(string name, string usage, Func<string[], int> run)
    {
        var command = new Command(name, usage) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(result => run([.. result.UnmatchedTokens]));
        return command;
    }

    /// <summary>
    /// Parses and runs. Parse errors print System.CommandLine's message and exit with 2, like the commands' own
    /// argument errors; exceptions are left to Program.cs so that every verb reports them the same way.
    /// </summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        // "@file" stays a plain token: a prompt or a path may start with @.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'Samples --help' for the list of commands.");
            return 2;
        }
        return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
