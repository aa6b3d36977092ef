using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Security;

namespace ItemPathOrleans.Grains.Sso;

/// <summary>
/// A single sign-on whose ID token the API has validated: the identity's link grain records the
/// token's use (refusing a second one) and names the user (linking or provisioning at a first
/// sign-in), the user grain opens the session.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class SsoLoginGrain(TenantCache tenants, SecurityEvents securityEvents, TimeProvider time) : Grain, ISsoLoginGrain
{
    public async Task<SsoLoginResult> Login(string tenant, SsoIdentity identity, IdTokenUse use, string clientAddress, string? clientId = null, string kind = SessionKinds.Sso)
    {
        if (kind is not (SessionKinds.Sso or SessionKinds.Web)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "A single sign-on opens an sso or a browser session.");
        var sso = (await tenants.GetAsync(tenant)).Settings.Sso;
        if (sso is null) return SsoLoginResult.Fail(SsoLoginError.NotConfigured);

        var link = GrainFactory.GetGrain<ISsoLinkGrain>(SsoKeys.Link(tenant, identity.EntraTenantId, identity.ObjectId));
        if (await link.Accept(use) is not SsoLoginError.None and var refused)
        {
            // A replayed genuine token means it leaked: worth an event with the identity (never the token or its hash).
            var why = refused == SsoLoginError.Replayed ? "ID token replayed" : "too many unexpired ID tokens";
            await securityEvents.RecordAsync(new SecurityEvent(tenant, null, SecurityEventNames.SsoLoginRefused,
                $"{why}: Entra tenant {identity.EntraTenantId}, object {identity.ObjectId}", time.GetUtcNow(), ClientAddresses.Key(clientAddress)));
            return SsoLoginResult.Fail(refused);
        }
        // Twice at most: a link to a user that was deleted since is dropped and made again.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await link.Resolve(identity.ClaimValue, sso.AutoProvision) is not { } userId) break;
            var result = await GrainFactory.GetGrain<IUserSsoGrain>(GrainKeys.User(tenant, userId))
                .CompleteSsoLogin(identity.EntraTenantId, identity.ObjectId, clientAddress, clientId, kind);
            if (result.Error != SsoLoginError.NotLinked) return result;
            await link.Forget(userId);
        }

        await securityEvents.RecordAsync(new SecurityEvent(tenant, null, SecurityEventNames.SsoLoginRefused,
            $"unknown user: Entra tenant {identity.EntraTenantId}, object {identity.ObjectId}", time.GetUtcNow(), ClientAddresses.Key(clientAddress)));
        return SsoLoginResult.Fail(SsoLoginError.UnknownUser);
    }
}
