using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Hosting;

/// <summary>Start-up validation of the token settings, with messages that say what to set.</summary>
internal sealed class TokensOptionsValidation : IValidateOptions<TokensOptions>
{
    public ValidateOptionsResult Validate(string? name, TokensOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
