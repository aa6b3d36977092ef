using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// The OpenID Provider's cluster calls: clients' registrations, browser sessions (checked at the
/// user's grain on every use, never from a cache: a sign-out or a revocation shows at once),
/// consents, and authorization codes (issued into a grain of their own, redeemed once). Each call
/// goes through <see cref="ClusterCalls"/> (the 503 when the cluster does not answer); what ends
/// a session here is forgotten at once by this node's revocation cache.
/// </summary>
public sealed class OpenIdClient(IGrainFactory grains, RevocationCache revocations)
{
    /// <summary>A registered client of the tenant, or null (an id no client could have included).</summary>
    public async Task<ClientInfo?> ClientAsync(string tenant, string? clientId) =>
        ClientVocabulary.IsClientId(clientId) ? await ClusterCalls.RepeatableAsync(() => grains.Client(tenant, clientId!).Get()) : null;

    /// <summary>The browser session the request's cookie names, if it still stands.</summary>
    public async Task<BrowserSession?> BrowserSessionAsync(HttpRequest request, string tenant)
    {
        if (BrowserSessionCookie.Read(request, tenant) is not var (userId, sessionId, secret)) return null;
        var check = await ClusterCalls.RepeatableAsync(() => grains.User(tenant, userId).CheckSession(sessionId));
        return BrowserSessionCookie.Matches(check, secret) ? new BrowserSession(userId, sessionId, check.CreatedAt ?? DateTimeOffset.MinValue) : null;
    }

    /// <summary>Ends a browser session and the client sessions opened through it.</summary>
    public async Task EndBrowserSessionAsync(string tenant, BrowserSession session)
    {
        await ClusterCalls.OnceAsync(() => grains.User(tenant, session.UserId).EndBrowserSession(session.SessionId, RevocationReasons.SignOut));
        revocations.ForgetUser(tenant, session.UserId);
    }

    /// <summary>The same user signed in again on this browser: what the old browser session opened moves to the new one.</summary>
    public async Task MoveBrowserSessionAsync(string tenant, BrowserSession from, BrowserSession to)
    {
        await ClusterCalls.OnceAsync(async () =>
        {
            await grains.User(tenant, to.UserId).MoveBrowserSession(from.SessionId, to.SessionId);
            return true;
        });
        revocations.Forget(tenant, from.UserId, from.SessionId);
    }

    public Task<bool> HasConsentAsync(string tenant, int userId, string clientId, string scope) =>
        ClusterCalls.RepeatableAsync(() => grains.User(tenant, userId).HasConsent(clientId, scope));

    public Task GrantConsentAsync(string tenant, int userId, string clientId, string scope) =>
        ClusterCalls.RepeatableAsync(async () =>
        {
            await grains.User(tenant, userId).GrantConsent(clientId, scope);
            return true;
        });

    /// <summary>A new code for <paramref name="grant"/>: 256 random bits, base64url; its grain is keyed by its digest.</summary>
    public async Task<string> IssueCodeAsync(string tenant, CodeGrant grant)
    {
        while (true)
        {
            var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            if (await ClusterCalls.RepeatableAsync(() => Code(tenant, code).Issue(grant))) return code;
        }
    }

    /// <summary>Once: any attempt spends the code.</summary>
    public Task<ClientSessionResult> RedeemAsync(string tenant, string code, string clientId, string redirectUri, string codeVerifier) =>
        ClusterCalls.OnceAsync(() => Code(tenant, code).Redeem(clientId, redirectUri, codeVerifier));

    public Task<UserProfile?> ProfileAsync(string tenant, int userId) => ClusterCalls.RepeatableAsync(() => grains.User(tenant, userId).GetProfile());

    private IAuthorizationCodeGrain Code(string tenant, string code) => grains.GetGrain<IAuthorizationCodeGrain>(GrainKeys.Code(tenant, code));
}
