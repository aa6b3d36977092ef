namespace ItemPathOrleans.Api.OpenId;

/// <summary>The start of a "Sign in with Microsoft": the Entra address to send the browser to, or why not.</summary>
public sealed record MicrosoftStart(string? Location, MicrosoftStartError Error, int RetryAfterSeconds)
{
    public static MicrosoftStart NotAvailable { get; } = new(null, MicrosoftStartError.NotAvailable, 0);
}
