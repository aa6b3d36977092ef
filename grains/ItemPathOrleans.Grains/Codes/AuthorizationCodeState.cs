using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;

namespace ItemPathOrleans.Grains.Codes;

/// <summary>An authorization code's stored state: its grant, whether it was spent, and the session its first redemption opened.</summary>
[GenerateSerializer]
public sealed class AuthorizationCodeState : IVersionedState
{
    [Id(0)] public CodeGrant? Code { get; set; }
    [Id(1)] public bool Spent { get; set; }
    /// <summary>Chosen and stored before the user grain opens it, so a replay can always revoke it.</summary>
    [Id(2)] public string? SessionId { get; set; }
    [Id(3)] public int Shape { get; set; }
}
