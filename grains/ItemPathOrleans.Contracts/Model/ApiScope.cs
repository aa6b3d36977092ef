namespace ItemPathOrleans.Contracts.Model;

/// <summary>One of a tenant's API scopes (tenant setting <c>apiScopes</c>): what a registered client may be granted.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiScope(
    [property: Id(0)] string Name,
    [property: Id(1)] string Description);
