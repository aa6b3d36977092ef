using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Observability;
using ItemPathOrleans.Grains.Security;

namespace ItemPathOrleans.Grains.Users;

/// <summary>Single sign-on: the user's Entra link and the sessions it opens (kind <c>sso</c>, or <c>web</c> from the sign-in page).</summary>
public sealed partial class UserGrain : IUserSsoGrain
{
    public async Task<bool> LinkSso(string entraTenantId, string objectId)
    {
        if (Profile is null) return false;
        if (state.State.Sso is { } link) return IsLink(link, entraTenantId, objectId);
        state.State.Sso = new SsoLink(entraTenantId, objectId);
        await WriteAsync();
        await RecordAsync(SecurityEventNames.SsoLinked, $"linked to Entra tenant {entraTenantId}, object {objectId}");
        return true;
    }

    public async Task<SsoLoginResult> CompleteSsoLogin(string entraTenantId, string objectId, string clientAddress, string? clientId = null, string kind = SessionKinds.Sso)
    {
        if (kind is not (SessionKinds.Sso or SessionKinds.Web)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "A single sign-on opens an sso or a browser session.");
        if (Profile is not { } profile || state.State.Sso is not { } link || !IsLink(link, entraTenantId, objectId))
            return SsoLoginResult.Fail(SsoLoginError.NotLinked);
        var address = ClientAddresses.Key(clientAddress);
        if (!profile.IsActive)
        {
            await RecordAsync(SecurityEventNames.SsoLoginRefused, "user not active", address);
            return SsoLoginResult.Fail(SsoLoginError.UserInactive);
        }
        return new SsoLoginResult(SsoLoginError.None, await OpenSessionAsync(kind, clientId, SecurityEventNames.SsoLoginSucceeded, address));
    }

    private static bool IsLink(SsoLink link, string entraTenantId, string objectId) =>
        link.EntraTenantId == entraTenantId && link.ObjectId == objectId;
}
