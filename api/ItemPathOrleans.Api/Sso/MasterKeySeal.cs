using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// Seals small values under the master keys, so that any API node can open them without shared
/// state: AES-256-GCM with a key that is HKDF-SHA256 of a master key (info
/// <c>itempath-seal|{purpose}</c>), a random 96-bit nonce, and <c>context</c> (a tenant id) as
/// associated data, so a value sealed for one purpose or tenant opens for no other. The sealed form
/// is <c>base64url(nonce ‖ ciphertext ‖ tag)</c>. The current master key seals; every configured one
/// opens, so a value outlives the addition of a master key, and removing the master key it was sealed
/// under makes it unreadable.
/// </summary>
/// <remarks>
/// What it seals: a tenant's Entra client secret in the stored settings, and the pending state of a
/// "Sign in with Microsoft" in its cookie.
/// </remarks>
public sealed class MasterKeySeal
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int KeyBytes = 32;

    private readonly MasterKey _current;
    private readonly IReadOnlyList<MasterKey> _others;
    private readonly ConcurrentDictionary<(string Purpose, string KeyId), byte[]> _keys = new();

    public MasterKeySeal(IOptions<TokensOptions> options)
    {
        var tokens = options.Value;
        _current = tokens.CurrentMasterKey;
        _others = tokens.MasterKeys.Where(k => k.Id != _current.Id).ToList();
    }

    /// <summary>The longest sealed form of <paramref name="plaintextBytes"/> bytes.</summary>
    public static int SealedLength(int plaintextBytes) => Base64Url.GetEncodedLength(NonceBytes + plaintextBytes + TagBytes);

    public string Seal(string purpose, string context, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(purpose, _current), TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), Encoding.UTF8.GetBytes(context));
        return Base64Url.EncodeToString(sealedBytes);
    }

    public string Seal(string purpose, string context, string plaintext) => Seal(purpose, context, Encoding.UTF8.GetBytes(plaintext));

    /// <summary>
    /// What <paramref name="sealedValue"/> holds, when a configured master key sealed it for this
    /// purpose and context; null for anything else (altered, another purpose or tenant, a removed
    /// master key, not a sealed value at all, longer than <paramref name="maxLength"/>).
    /// </summary>
    public byte[]? Open(string purpose, string context, string? sealedValue, int maxLength)
    {
        if (sealedValue is null || sealedValue.Length > maxLength || !Base64Url.IsValid(sealedValue, out var length) || length < NonceBytes + TagBytes)
            return null;
        var sealedBytes = Base64Url.DecodeFromChars(sealedValue);
        var plaintextLength = sealedBytes.Length - NonceBytes - TagBytes;
        var associated = Encoding.UTF8.GetBytes(context);
        foreach (var master in _others.Prepend(_current))
        {
            var plaintext = new byte[plaintextLength];
            try
            {
                using var aes = new AesGcm(Key(purpose, master), TagBytes);
                aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintextLength), sealedBytes.AsSpan(NonceBytes + plaintextLength), plaintext, associated);
                return plaintext;
            }
            catch (AuthenticationTagMismatchException)
            {
                // Sealed under another master key, or not by this service: the next key, or nothing.
            }
        }
        return null;
    }

    public string? OpenString(string purpose, string context, string? sealedValue, int maxLength) =>
        Open(purpose, context, sealedValue, maxLength) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    private byte[] Key(string purpose, MasterKey master) =>
        _keys.GetOrAdd((purpose, master.Id), _ => HKDF.DeriveKey(HashAlgorithmName.SHA256,
            master.SecretBytes() ?? throw new InvalidOperationException($"Tokens:MasterKeys '{master.Id}' is not base64."),
            KeyBytes, salt: [], info: Encoding.UTF8.GetBytes("itempath-seal|" + purpose)));
}
