using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Authentication;

public sealed class RevocationOptions
{
    public const string Section = "Revocation";

    /// <summary>Most (user, session) answers kept per API node; memory stays bounded under any load.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Whether protected endpoints check that the session and the user are still active. Off only
    /// to measure what the check costs: with it off a revoked token works until it expires.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
