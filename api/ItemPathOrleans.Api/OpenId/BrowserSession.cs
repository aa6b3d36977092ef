namespace ItemPathOrleans.Api.OpenId;

/// <summary>A signed-in browser: its user, the <c>web</c> session its cookie names, and when the user signed in.</summary>
public sealed record BrowserSession(int UserId, string SessionId, DateTimeOffset AuthTime);
