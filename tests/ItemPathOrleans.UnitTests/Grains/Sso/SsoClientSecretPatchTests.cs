using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.UnitTests.Grains.Sso;

/// <summary>
/// The write-only <c>sso.clientSecret</c> through a settings change: an <c>sso</c> that names no
/// secret keeps the stored one while the client id stays, since the secret belongs to that
/// application; one that names a secret, or none with <c>null</c>, says what is stored.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SsoClientSecretPatchTests
{
    private static readonly SsoSettings Stored = new()
    {
        Authority = "https://login.microsoftonline.com/organizations/v2.0",
        ClientId = "app-1",
        EntraTenantIds = ["00000000-0000-0000-0000-0000000000e1"],
        SealedClientSecret = "sealed-1",
    };

    private static readonly TenantSettings Settings = TenantSettings.Default with { Sso = Stored };

    private static TenantSettings Apply(SsoSettings? sso, bool keep) =>
        (new TenantSettingsPatch().Set(s => s.Sso, sso).Set(s => s.RefreshTokenRotation, true) with { KeepSsoClientSecret = keep }).ApplyTo(Settings);

    [Fact]
    public void Left_out_with_the_same_client_id_the_stored_secret_stays()
    {
        var changed = Apply(Stored with { SealedClientSecret = null, AutoProvision = true }, keep: true);
        Assert.Equal("sealed-1", changed.Sso!.SealedClientSecret);
        Assert.True(changed.Sso.AutoProvision);
        Assert.True(changed.RefreshTokenRotation);
    }

    [Fact]
    public void Left_out_with_another_client_id_there_is_no_secret()
    {
        Assert.Null(Apply(Stored with { SealedClientSecret = null, ClientId = "app-2" }, keep: true).Sso!.SealedClientSecret);
    }

    [Fact]
    public void A_new_secret_replaces_it_and_null_removes_it()
    {
        Assert.Equal("sealed-2", Apply(Stored with { SealedClientSecret = "sealed-2" }, keep: false).Sso!.SealedClientSecret);
        Assert.Null(Apply(Stored with { SealedClientSecret = null }, keep: false).Sso!.SealedClientSecret);
        Assert.Null(Apply(null, keep: false).Sso);
    }

    [Fact]
    public void The_sealed_secret_is_in_no_text_form_of_the_settings()
    {
        Assert.DoesNotContain("sealed-1", Stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sealed-1", Settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("ClientSecretSet = True", Stored.ToString(), StringComparison.Ordinal);
    }
}
