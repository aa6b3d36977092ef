using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// The contract's limits of request fields, named once: the validators, the API reference
/// (<c>[StringLength]</c> on the request records) and the docs read them from here. The
/// username's rule is the cluster's own (<see cref="UsernameRule"/>).
/// </summary>
public static class FieldLimits
{
    public const int MaxUsernameLength = UsernameRule.MaxLength;
    public const int MaxPasswordLength = 1024;
    public const int MaxTokenNameLength = 128;
    public const int MaxClientIdLength = 128;
    public const int MaxNonceLength = 1024;
    public const int MaxEmailLength = 254;

    public static readonly string PasswordLengthProblem = $"password must be 1 to {MaxPasswordLength} characters";
}
