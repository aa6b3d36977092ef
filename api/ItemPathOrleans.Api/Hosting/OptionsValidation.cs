using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Hosting;

/// <summary>
/// Start-up validation of an options class that keeps its messages: a bad setting stops the
/// start with every line that names what to set (<see cref="OptionsValidationException"/>).
/// </summary>
public sealed class OptionsValidation<T>(string section, Func<T, IEnumerable<string>> validate) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = validate(options).ToList();
        if (errors.Count == 0) return ValidateOptionsResult.Success;
        // The section first, then each setting that is wrong and what it must be.
        return ValidateOptionsResult.Fail([$"{section} options are invalid (see docs/configuration.md)", .. errors]);
    }
}
