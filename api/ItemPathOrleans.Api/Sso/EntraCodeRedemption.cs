namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// What redeeming an authorization code at Entra's token endpoint gave: the ID token, or the
/// OAuth error the endpoint answered (a bare code such as <c>invalid_grant</c>, never its
/// description), or <see cref="Unavailable"/> when the endpoint could not be reached or answered
/// a server error (the user tries again later).
/// </summary>
public sealed record EntraCodeRedemption(string? IdToken, string? Error, bool Unavailable)
{
    public static EntraCodeRedemption Refused(string error) => new(null, error, false);

    public static EntraCodeRedemption NotReachable { get; } = new(null, null, true);

    // The ID token is a bearer credential for an hour: never in a log line.
    public override string ToString() => $"EntraCodeRedemption {{ IdToken = {(IdToken is null ? "null" : "[redacted]")}, Error = {Error}, Unavailable = {Unavailable} }}";
}
