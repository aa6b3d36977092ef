using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sso;

/// <summary>The outcome of checking an ID token: the identity it names and the use to record, or why it was refused.</summary>
public sealed record IdTokenCheck(SsoIdentity? Identity, IdTokenUse? Use, string? Refusal)
{
    public static IdTokenCheck Refused(string why) => new(null, null, why);
}
