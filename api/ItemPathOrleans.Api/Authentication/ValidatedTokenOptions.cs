using ItemPathOrleans.Api.Hosting;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>The node's memory of tokens whose signature it has verified (<see cref="ValidatedTokens"/>).</summary>
public sealed class ValidatedTokenOptions : IValidatedOptions
{
    public const string Section = "ValidatedTokens";

    /// <summary>Most tokens kept per API node; memory stays bounded under any load (about 7.5 KB each).</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Off only to measure what it saves: every token is then parsed and its signature computed on every request.</summary>
    public bool Enabled { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (MaxEntries < 1) yield return "ValidatedTokens:MaxEntries must be 1 or more";
    }
}
