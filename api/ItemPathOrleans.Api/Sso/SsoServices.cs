using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Sso;

public static class SsoServices
{
    public static IServiceCollection AddSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SsoOptions>().Bind(configuration.GetSection(SsoOptions.Section))
            .Validate(o => !o.Validate().Any(), "Sso options are invalid (see docs/configuration.md: Sso:MaxIdTokenLength, Sso:MaxMetadataBytes, Sso:FetchTimeoutSeconds, Sso:ClockSkewSeconds, Sso:AllowedAuthorityHosts).")
            .ValidateOnStart();
        services.AddSingleton<OpenIdMetadataCache>();
        services.AddSingleton<IdTokenValidator>();
        return services;
    }
}
