using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using ItemPathOrleans.Contracts;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Grains.Tokens;

/// <summary>What goes into one token; the minter adds the tenant's issuer, audience and key.</summary>
public readonly record struct TokenDescriptor(
    string Type,
    string Jti,
    string Identity,
    long IssuedAt,
    long? ExpiresAt,
    int UserId,
    string SessionId);

/// <summary>
/// Mints HS256 JWS compact tokens with the claims in the ItemPath order (<c>fresh, iat, jti,
/// type, identity, nbf, exp</c>, then <c>tid, uid, sid, iss, aud</c>). Minting is deterministic:
/// the same descriptor and key give the same bytes, which lets a refresh replay re-sign a
/// successor instead of storing it.
/// </summary>
public sealed class TokenMinter(SigningKeyDerivation keys, IOptions<TokensOptions> options)
{
    public string Mint(TenantInfo tenant, in TokenDescriptor token)
    {
        var key = tenant.FindKey(tenant.CurrentKid)
                  ?? throw new InvalidOperationException($"Tenant '{tenant.Id}' has no signing key '{tenant.CurrentKid}'.");
        var secret = keys.SecretFor(tenant.Id, key)
                     ?? throw new SigningKeyUnavailableException($"Tenant '{tenant.Id}': master key '{key.MasterKeyId}' of signing key {key.Kid} is not configured.");

        var buffer = new ArrayBufferWriter<byte>(512);
        AppendBase64Url(buffer, Header(key.Kid));
        buffer.Write("."u8);
        AppendBase64Url(buffer, Payload(tenant.Id, token));
        var signature = HMACSHA256.HashData(secret, buffer.WrittenSpan);
        buffer.Write("."u8);
        AppendBase64Url(buffer, signature);
        return System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    private static byte[] Header(string kid)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("typ", "JWT");
            w.WriteString("alg", TokenClaims.Algorithm);
            w.WriteString("kid", kid);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private byte[] Payload(string tenant, in TokenDescriptor t)
    {
        var o = options.Value;
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean(TokenClaims.Fresh, false);
            w.WriteNumber(TokenClaims.IssuedAt, t.IssuedAt);
            w.WriteString(TokenClaims.Id, t.Jti);
            w.WriteString(TokenClaims.Type, t.Type);
            w.WriteString(TokenClaims.Identity, t.Identity);
            w.WriteNumber(TokenClaims.NotBefore, t.IssuedAt);
            if (t.ExpiresAt is { } exp) w.WriteNumber(TokenClaims.Expires, exp);
            w.WriteString(TokenClaims.Tenant, tenant);
            w.WriteNumber(TokenClaims.UserId, t.UserId);
            w.WriteString(TokenClaims.SessionId, t.SessionId);
            w.WriteString(TokenClaims.Issuer, o.IssuerFor(tenant));
            w.WriteString(TokenClaims.Audience, o.Audience);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void AppendBase64Url(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> data)
    {
        var span = buffer.GetSpan(Base64Url.GetEncodedLength(data.Length));
        var written = Base64Url.EncodeToUtf8(data, span);
        buffer.Advance(written);
    }
}
