namespace ItemPathOrleans.Api.Keys;

/// <summary><c>{"kid"}</c>: the tenant's new current key version.</summary>
public sealed record KidJson(string Kid);
