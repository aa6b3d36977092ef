namespace ItemPathOrleans.Api.Hosting;

/// <summary>An options class that says what is wrong with it, one line per setting, naming the setting.</summary>
public interface IValidatedOptions
{
    IEnumerable<string> Validate();
}
