using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Hosting;

public static class ValidatedOptionsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> to its section and validates it at start, messages kept.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class, IValidatedOptions =>
        services.AddValidatedOptions<T>(configuration, section, o => o.Validate());

    /// <summary>The same for an options class of another project, with its own validation.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section,
        Func<T, IEnumerable<string>> validate) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new OptionsValidation<T>(section, validate));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
