namespace ItemPathOrleans.Api.Authentication;

/// <summary>A token that validated cryptographically but is refused by a rule of the contract.</summary>
public sealed class TokenRejectedException(string message) : Exception(message);
