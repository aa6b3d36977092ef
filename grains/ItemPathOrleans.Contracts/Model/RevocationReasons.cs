namespace ItemPathOrleans.Contracts.Model;

/// <summary>Why sessions end; stable names, shown in security events.</summary>
public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string RevokedByUser = "revoked_by_user";
    public const string RevokedByAdmin = "revoked_by_admin";
    public const string RefreshTokenReuse = "refresh_token_reuse";
    public const string PasswordChanged = "password_changed";
    public const string UserDeactivated = "user_deactivated";
    public const string SessionCap = "session_cap";
    public const string BreakGlass = "break_glass_password_reset";
    /// <summary>An application user became a plain user: its application tokens end.</summary>
    public const string TypeChanged = "user_type_changed";
    /// <summary>An authorization code was redeemed a second time: what the first redemption issued ends (RFC 6749 §4.1.2).</summary>
    public const string CodeReplay = "authorization_code_replay";
    /// <summary>The user signed out of the browser session (RP-initiated logout).</summary>
    public const string SignOut = "sign_out";
    /// <summary>The user signed in again on the same browser: the new browser session replaces this one.</summary>
    public const string SignedInAgain = "signed_in_again";
}
