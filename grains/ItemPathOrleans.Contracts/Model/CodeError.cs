namespace ItemPathOrleans.Contracts.Model;

/// <summary>Why a code redemption was refused: the API answers <c>invalid_grant</c> to each.</summary>
public enum CodeError
{
    None,
    /// <summary>Unknown, expired, or already redeemed (the first redemption's tokens are revoked).</summary>
    InvalidCode,
    /// <summary>Issued to another client, or for another redirect URI.</summary>
    Mismatch,
    /// <summary>The code verifier does not match the challenge (RFC 7636 §4.6).</summary>
    WrongVerifier,
    /// <summary>The user can no longer sign in, or the browser session has ended.</summary>
    UserInactive,
}
