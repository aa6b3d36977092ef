using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Users;

public sealed record EventListJson(IReadOnlyList<EventJson> Events, int Total)
{
    public static EventListJson From(SecurityEventPage page) =>
        new(page.Events.Select(e => new EventJson(ApiDates.Iso(e.At), e.Name, e.Address, e.Detail)).ToList(), page.Total);
}
