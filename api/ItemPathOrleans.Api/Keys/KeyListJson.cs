using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Keys;

public sealed record KeyListJson(IReadOnlyList<KeyJson> Keys, int Total)
{
    public static KeyListJson From(TenantInfo t)
    {
        var keys = t.Keys.Select(k => new KeyJson(k.Kid, k.MasterKeyId, ApiDates.Iso(k.CreatedAt), k.RetiredAt is { } r ? ApiDates.Iso(r) : null, k.Kid == t.CurrentKid, k.Alg, k.HasIdTokenKey)).ToList();
        return new KeyListJson(keys, keys.Count);
    }
}
