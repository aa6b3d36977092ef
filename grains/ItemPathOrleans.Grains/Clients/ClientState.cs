using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;

namespace ItemPathOrleans.Grains.Clients;

[GenerateSerializer]
public sealed class ClientState : IVersionedState
{
    /// <summary>The registration; null before creation and after deletion.</summary>
    [Id(0)] public ClientInfo? Info { get; set; }
    [Id(1)] public List<StoredClientSecret> Secrets { get; set; } = [];
    /// <summary>
    /// The first second (Unix) a token of this client may have been issued at. A disable, a
    /// deletion and a re-creation raise it, so none of them ever revives an older token; it
    /// survives the deletion for that reason.
    /// </summary>
    [Id(2)] public long TokensValidFrom { get; set; }
    /// <summary><c>private_key_jwt</c> assertion ids used, until their expiry (see <see cref="ClientAuthentication"/>).</summary>
    [Id(3)] public Dictionary<string, long> UsedAssertions { get; set; } = [];
    /// <summary>Ids of revoked access tokens, until their expiry.</summary>
    [Id(4)] public Dictionary<string, long> RevokedTokens { get; set; } = [];
    [Id(5)] public int Shape { get; set; }
}
