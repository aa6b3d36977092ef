namespace ItemPathOrleans.Contracts.Model;

public enum ClientChangeError
{
    None,
    NotFound,
    /// <summary>A client of that id exists in the tenant.</summary>
    Exists,
    Invalid,
}

/// <summary>
/// The answer to a change of a client: the client after it, and a new secret in clear when the
/// change made one (a creation with a secret method, a secret added): shown this once, never stored.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientChangeResult(
    [property: Id(0)] ClientChangeError Error,
    [property: Id(1)] ClientInfo? Client,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Secret = null,
    [property: Id(4)] ClientSecretInfo? SecretInfo = null)
{
    public static ClientChangeResult Fail(ClientChangeError error, string? detail = null) => new(error, null, detail);

    // Orleans logs messages with their ToString at Trace level: never the secret.
    public override string ToString() => $"ClientChangeResult {{ Error = {Error}, Client = {Client?.ClientId}, Detail = {Detail}, Secret = [redacted] }}";
}
