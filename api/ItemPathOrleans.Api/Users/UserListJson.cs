namespace ItemPathOrleans.Api.Users;

public sealed record UserListJson(IReadOnlyList<UserJson> Users, long Total);
