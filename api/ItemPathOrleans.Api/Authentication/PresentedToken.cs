using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// A presented token: its claims and identity when accepted (a user's in <see cref="Identity"/>,
/// a registered client's in <see cref="Client"/>), and the verdict.
/// </summary>
public sealed record PresentedToken(JsonWebToken? Token, TokenIdentity? Identity, TokenVerdict Verdict, ClientTokenIdentity? Client = null);
