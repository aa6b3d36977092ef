using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>A presented token: its claims and identity when accepted, and the verdict.</summary>
public sealed record PresentedToken(JsonWebToken? Token, TokenIdentity? Identity, TokenVerdict Verdict);
