namespace Peer;

/// <summary>Settings under <c>Peer:</c> (environment <c>Peer__SeedUsers</c> and so on).</summary>
public sealed class PeerOptions
{
    public const string Section = "Peer";

    /// <summary>How many bench users exist after startup: <c>{UserPrefix}-0001</c>… (0–9999).</summary>
    public int SeedUsers { get; set; } = 64;

    public string UserPrefix { get; set; } = "bench";

    /// <summary>How many confidential clients exist after startup: <c>{UserPrefix}-client-0001</c>… (0–9999).</summary>
    public int SeedClients { get; set; } = 64;

    /// <summary>The one secret of every seeded client (each stored with its own salt, OpenIddict's way).</summary>
    public string ClientSecret { get; set; } = "Bench-Client-Secret-2026-0123456789abcdefgh";

    /// <summary>The scope the seeded clients may request (client_credentials).</summary>
    public string ClientScope { get; set; } = "bench:read";

    /// <summary>The one password of every seeded user.</summary>
    public string UserPassword { get; set; } = "Bench-Pass-2026!";

    public void Validate()
    {
        if (SeedUsers is < 0 or > 9999) throw new InvalidOperationException("Peer:SeedUsers must be between 0 and 9999.");
        if (string.IsNullOrWhiteSpace(UserPrefix)) throw new InvalidOperationException("Peer:UserPrefix must not be empty.");
        if (string.IsNullOrEmpty(UserPassword)) throw new InvalidOperationException("Peer:UserPassword must not be empty.");
        if (SeedClients is < 0 or > 9999) throw new InvalidOperationException("Peer:SeedClients must be between 0 and 9999.");
        if (string.IsNullOrEmpty(ClientSecret)) throw new InvalidOperationException("Peer:ClientSecret must not be empty.");
        if (string.IsNullOrWhiteSpace(ClientScope) || ClientScope.Any(c => c <= ' ')) throw new InvalidOperationException("Peer:ClientScope must be one scope name.");
    }

    public string UserName(int number) => $"{UserPrefix}-{number:D4}";

    public string ClientId(int number) => $"{UserPrefix}-client-{number:D4}";
}
