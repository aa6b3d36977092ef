namespace ItemPathOrleans.Api.RequestReading;

/// <summary>A form request record that reads itself from the form's parameters, checking its own rules.</summary>
public interface IFormRequest<TSelf>
{
    /// <summary>The request, or null with <paramref name="error"/> set (the first rule broken, naming the parameter).</summary>
    static abstract TSelf? Read(FormFields form, out string? error);
}
