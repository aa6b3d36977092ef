using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Grains.Users;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Codes;

/// <summary>
/// One authorization code: stored when issued, spent (and stored as spent) before any token is
/// minted. Every redemption attempt spends it, a wrong verifier too: a code is tried once. A
/// second redemption revokes the session the first one opened. An expired code is refused
/// without a write. Its row is cleared when the activation ends after the code's expiry, and
/// rows a dead silo left behind are swept by <see cref="Hosting.RetentionSweeper"/>, so codes do not
/// pile up in storage.
/// </summary>
public sealed partial class AuthorizationCodeGrain(
    [PersistentState("code", StorageNames.Grains)] IPersistentState<AuthorizationCodeState> state,
    SecurityEvents securityEvents,
    TimeProvider time,
    ILogger<AuthorizationCodeGrain> logger) : Grain, IAuthorizationCodeGrain
{
    private string Tenant => GrainKeys.ParseCodeTenant(this.GetPrimaryKeyString());

    public async Task<bool> Issue(CodeGrant code)
    {
        if (state.State.Code is not null) return false;
        state.State.Code = code;
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task<ClientSessionResult> Redeem(string clientId, string redirectUri, string codeVerifier)
    {
        if (state.State.Code is not { } code) return ClientSessionResult.Fail(CodeError.InvalidCode);
        var user = GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(Tenant, code.UserId));
        if (state.State.Spent)
        {
            if (state.State.SessionId is { } issued && await user.RevokeSession(issued, RevocationReasons.CodeReplay))
                await securityEvents.RecordAsync(new SecurityEvent(Tenant, code.UserId, SecurityEventNames.CodeReplayed,
                    $"client {code.ClientId}: session {issued} revoked", time.GetUtcNow()));
            return ClientSessionResult.Fail(CodeError.InvalidCode);
        }

        // An expired code gives nothing and is not written again: past its expiry its row may be
        // swept (RetentionSweeper), and a write would then meet a row that is gone.
        if (time.GetUtcNow() >= code.ExpiresAt) return ClientSessionResult.Fail(CodeError.InvalidCode);

        state.State.Spent = true;
        state.State.SessionId = SessionBook.NewId();
        await state.WriteOrDeactivateAsync(this);

        if (!SameText(code.ClientId, clientId) || !SameText(code.RedirectUri, redirectUri)) return ClientSessionResult.Fail(CodeError.Mismatch);
        if (!Pkce.Verifies(code.CodeChallenge, codeVerifier)) return ClientSessionResult.Fail(CodeError.WrongVerifier);

        return await user.OpenClientSession(new ClientSessionRequest(
            state.State.SessionId, code.BrowserSessionId, code.ClientId, code.Scope, code.Nonce, code.AuthTime,
            AlwaysRotate: code.PublicClient, code.IssueRefreshToken));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Past its expiry a code is worth nothing but its replay signal, which is kept while the
        // activation lives; then its row goes.
        if (state.State.Code is { } code && time.GetUtcNow() >= code.ExpiresAt && state.RecordExists)
        {
            try
            {
                await state.ClearStateAsync();
            }
            catch (Exception ex)
            {
                LogNotCleared(logger, ex, Tenant);
            }
        }
    }

    private static bool SameText(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    [LoggerMessage(Level = LogLevel.Debug, Message = "An expired authorization code of tenant {Tenant} was not cleared from storage")]
    private static partial void LogNotCleared(ILogger logger, Exception exception, string tenant);
}
