namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// On a request record whose body may be left out: an empty body (ItemPath clients send a JSON
/// content type and nothing else) binds as the record with every member null.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OptionalBodyAttribute : Attribute;
