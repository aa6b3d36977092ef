using System.Text.Json;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// Reads the <c>sso</c> tenant setting from an update body: an object replaces the setting,
/// <c>null</c> removes it. Errors name the field. The authority's host must be one this server
/// allows, so a tenant admin cannot make it fetch arbitrary URLs. <c>clientSecret</c> is
/// write-only: a string is sealed here under the master key (<see cref="MasterKeySeal"/>, bound to
/// the tenant) and only the sealed form goes on; <c>null</c> removes the secret; left out, the
/// stored secret stays while the client id does.
/// </summary>
public static class SsoSettingsInput
{
    /// <summary>What seals a tenant's client secret (<see cref="MasterKeySeal"/>): the purpose; the context is the tenant id.</summary>
    public const string ClientSecretPurpose = "sso-client-secret";

    public static SsoSettingsChange? Read(JsonElement body, string tenant, SsoOptions options, MasterKeySeal seal, ref string? error)
    {
        if (!body.TryGetProperty("sso", out var value)) return null;
        if (value.ValueKind == JsonValueKind.Null) return new SsoSettingsChange(null);
        if (value.ValueKind != JsonValueKind.Object)
        {
            error ??= "Field 'sso' must be an object or null";
            return null;
        }

        var authority = String(value, "authority", ref error);
        var clientId = String(value, "clientId", ref error);
        var usernameClaim = value.TryGetProperty("usernameClaim", out var claim) && claim.ValueKind != JsonValueKind.Null
            ? String(value, "usernameClaim", ref error) : SsoSettings.DefaultUsernameClaim;
        var autoProvision = false;
        if (value.TryGetProperty("autoProvision", out var auto) && auto.ValueKind != JsonValueKind.Null)
        {
            if (auto.ValueKind is JsonValueKind.True or JsonValueKind.False) autoProvision = auto.GetBoolean();
            else error ??= "Field 'sso.autoProvision' must be a boolean";
        }
        string? clientSecret = null;
        var keepSecret = !value.TryGetProperty("clientSecret", out var secret);
        if (!keepSecret && secret.ValueKind != JsonValueKind.Null)
        {
            clientSecret = secret.ValueKind == JsonValueKind.String ? secret.GetString() : null;
            if (!SsoSettingsRules.IsClientSecret(clientSecret))
                error ??= $"sso.clientSecret must be 1 to {SsoSettingsRules.MaxClientSecretLength} printable characters without spaces, or null";
        }
        var tenantIds = new List<string>();
        if (!value.TryGetProperty("entraTenantIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            error ??= "Field 'sso.entraTenantIds' must be an array of Entra tenant ids";
        }
        else
        {
            foreach (var id in ids.EnumerateArray())
            {
                if (tenantIds.Count > SsoSettingsRules.MaxEntraTenants) break;
                var canonical = id.ValueKind == JsonValueKind.String ? SsoSettingsRules.CanonicalTenantId(id.GetString()) : null;
                if (canonical is null)
                {
                    error ??= "sso.entraTenantIds must list Entra tenant ids (GUIDs)";
                    break;
                }
                if (!tenantIds.Contains(canonical)) tenantIds.Add(canonical);
            }
        }
        if (error is not null) return null;

        var sso = new SsoSettings
        {
            Authority = authority!.TrimEnd('/'),
            ClientId = clientId!,
            EntraTenantIds = tenantIds,
            UsernameClaim = usernameClaim!,
            AutoProvision = autoProvision,
            SealedClientSecret = clientSecret is null ? null : seal.Seal(ClientSecretPurpose, tenant, clientSecret),
        };
        if (SsoSettingsRules.Validate(sso) is { } invalid)
        {
            error = invalid;
            return null;
        }
        if (!options.Allows(new Uri(sso.Authority)))
        {
            error = options.AllowHttpAuthorities
                ? $"sso.authority must be on an allowed host ({string.Join(", ", options.Hosts)})"
                : $"sso.authority must be an https URL on an allowed host ({string.Join(", ", options.Hosts)})";
            return null;
        }
        return new SsoSettingsChange(sso, keepSecret);
    }

    private static string? String(JsonElement obj, string name, ref string? error)
    {
        if (obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString();
        error ??= $"Field 'sso.{name}' must be a string";
        return null;
    }
}
