using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Forecasts;

public sealed class ServiceNormsTests
{
    [Theory]
    [InlineData("submitted", 5)]        // 2 (submitted) + 3 (in review) on the way to registered
    [InlineData("in-review", 3)]
    [InlineData("waiting-for-citizen", 3)] // no norm while the citizen answers, then the review
    [InlineData("registered", 0)]
    public void Remaining_norm_follows_the_cheapest_path_to_a_positive_end(string state, int expected)
    {
        var definition = ShippedDefinitions.Definition("change-of-address");
        Assert.Equal(expected, ServiceNorms.RemainingWorkingDays(definition, state));
    }

    [Fact]
    public void A_state_with_no_norm_on_any_way_has_no_forecast()
    {
        var definition = ShippedDefinitions.Definition("change-of-address") with
        {
            States = ShippedDefinitions.Definition("change-of-address").States.Select(s => s with { ServiceNorm = null }).ToList(),
        };
        Assert.Null(ServiceNorms.RemainingWorkingDays(definition with { Version = 99 }, "submitted"));
    }
}
