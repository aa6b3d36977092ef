using System.ComponentModel.DataAnnotations;

namespace ItemPathOrleans.ClusterNode.Tokens;

/// <summary>Token settings shared by the silos (which mint) and the API nodes (which validate).</summary>
public sealed class TokensOptions
{
    public const string Section = "Tokens";

    /// <summary>Public base URL; a tenant's issuer is <c>{Issuer}/{tenant}</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "http://127.0.0.1:5080";

    [Required]
    public string Audience { get; set; } = "itempath-api";

    /// <summary>Master secrets (base64, at least 32 bytes). Never stored in the database.</summary>
    public List<MasterKey> MasterKeys { get; set; } = [];

    /// <summary>The master key new key versions are derived from; the last configured one when empty.</summary>
    public string? CurrentMasterKeyId { get; set; }

    public string IssuerFor(string tenant) => $"{Issuer.TrimEnd('/')}/{tenant}";

    public MasterKey CurrentMasterKey =>
        string.IsNullOrEmpty(CurrentMasterKeyId)
            ? MasterKeys[^1]
            : MasterKeys.Single(k => k.Id == CurrentMasterKeyId);

    /// <summary>Start-up validation: a clear message instead of a failure at the first login.</summary>
    public IEnumerable<string> Validate()
    {
        if (MasterKeys.Count == 0)
        {
            yield return "Tokens:MasterKeys must hold at least one master key (Tokens__MasterKeys__0__Id and Tokens__MasterKeys__0__Secret, base64 of 32+ random bytes).";
            yield break;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in MasterKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Id)) yield return "Every Tokens:MasterKeys entry needs an Id.";
            else if (!ids.Add(key.Id)) yield return $"Tokens:MasterKeys has the id '{key.Id}' twice.";
            if (key.SecretBytes() is not { Length: >= 32 }) yield return $"Tokens:MasterKeys '{key.Id}': Secret must be base64 of at least 32 bytes.";
        }
        if (!string.IsNullOrEmpty(CurrentMasterKeyId) && !ids.Contains(CurrentMasterKeyId))
            yield return $"Tokens:CurrentMasterKeyId '{CurrentMasterKeyId}' names no configured master key.";
        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out _)) yield return "Tokens:Issuer must be an absolute URL.";
    }
}

public sealed class MasterKey
{
    public string Id { get; set; } = "";
    public string Secret { get; set; } = "";

    public byte[]? SecretBytes()
    {
        try { return Convert.FromBase64String(Secret); }
        catch (FormatException) { return null; }
    }
}
