namespace Peer;

/// <summary>Settings under <c>Peer:</c> (environment <c>Peer__SeedUsers</c> and so on).</summary>
public sealed class PeerOptions
{
    public const string Section = "Peer";

    /// <summary>How many bench users exist after startup: <c>{UserPrefix}-0001</c>… (0–9999).</summary>
    public int SeedUsers { get; set; } = 64;

    public string UserPrefix { get; set; } = "bench";

    /// <summary>The one password of every seeded user.</summary>
    public string UserPassword { get; set; } = "Bench-Pass-2026!";

    public void Validate()
    {
        if (SeedUsers is < 0 or > 9999) throw new InvalidOperationException("Peer:SeedUsers must be between 0 and 9999.");
        if (string.IsNullOrWhiteSpace(UserPrefix)) throw new InvalidOperationException("Peer:UserPrefix must not be empty.");
        if (string.IsNullOrEmpty(UserPassword)) throw new InvalidOperationException("Peer:UserPassword must not be empty.");
    }

    public string UserName(int number) => $"{UserPrefix}-{number:D4}";
}
