namespace ItemPathOrleans.Api.Authentication;

/// <summary>Who answers whether a token's session and user are still active (<see cref="TokenValidation.CheckAsync"/>).</summary>
public enum SessionLookup
{
    /// <summary>The revocation cache: one user grain call per session per <c>revocationLatencySeconds</c>.</summary>
    RevocationCache,

    /// <summary>The user grain itself, now (introspection: a token revoked a moment ago is inactive).</summary>
    UserGrain,

    /// <summary>
    /// Nobody before the endpoint: its own user grain call decides the session's and the user's
    /// state (a refresh, an application token's creation), so validation asks nothing and the
    /// request costs that one call. Only for refresh tokens, whose endpoints all make such a call.
    /// </summary>
    EndpointCall,
}
