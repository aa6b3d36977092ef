using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using static ItemPathOrleans.Contracts.Model.ClientVocabulary;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// Whether a client proved who it is with its registered method, and nothing else: a secret
/// (one SHA-256 and constant-time comparisons, a dummy digest for a client without secrets or
/// an unknown one), a <c>private_key_jwt</c> assertion whose <c>jti</c> is new (recorded in
/// <paramref name="usedAssertions"/>: the caller stores it before it answers), or, for a public
/// client, its id alone. Disabled and unknown clients fail like a wrong secret.
/// </summary>
public static class ClientAuthentication
{
    /// <summary>Most assertion ids kept per client: at five minutes each, 200 assertions a second.</summary>
    public const int MaxUsedAssertions = 60_000;

    public static bool Authenticates(ClientProof proof, ClientInfo? client, IReadOnlyList<StoredClientSecret> secrets,
        Func<ClientJwks?> jwks, ExpiringIdSet usedAssertions, IReadOnlyCollection<string> audiences, DateTimeOffset now)
    {
        var registered = client is { Disabled: false } && client.ClientId == proof.ClientId && client.TokenEndpointAuthMethod == proof.Method;
        switch (proof.Method)
        {
            case SecretBasic or SecretPost:
                // Compared whatever the registration says, so an unknown client answers in the same time.
                var matches = ClientSecrets.Matches(proof.Secret, registered ? secrets : []);
                return registered && matches;
            case PrivateKeyJwt:
                if (!registered || jwks() is not { } keys) return false;
                var accepted = ClientAssertions.Validate(proof.Assertion, proof.ClientId, keys, audiences, now);
                // Kept as long as the assertion could still pass its expiry check (the skew included).
                return accepted is { } a && usedAssertions.TryAdd(a.Jti, a.ExpiresAt + (long)TokenClaims.ClockSkew.TotalSeconds, now.ToUnixTimeSeconds());
            case None:
                return registered && client!.Type == Public;
            default:
                return false;
        }
    }
}
